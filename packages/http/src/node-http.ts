import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Histogram, type Span, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { activeUnlessSuppressed, AttributeSets, ClientRecorder, normalizeMethod, splitHost, type ClientExchange } from './exchange.js';
import { httpRouteOf } from './route-key.js';

// Inbound and outbound node:http(s) requests, recorded by otelkit itself instead of the upstream
// `@opentelemetry/instrumentation-http`: under load that instrumentation cost the bank about a fifth of its throughput
// (bench/README.md) — it wraps the request and response emitters, binds every listener to the context and builds the
// attributes of both semantic-convention generations before dropping one. Here:
//  - server: `Server.prototype.emit` is wrapped for 'request' only (the one place a handler can be run inside the
//    request's context); the response's end comes from the `http.server.response.finish` diagnostics channel, an
//    aborted request from one shared 'close' listener;
//  - client: the `http.client.request.created` channel (the ClientRequest is built, its headers not yet sent: the
//    trace context is injected there), `http.client.response.finish` (response headers arrived) and
//    `http.client.request.error`. No function of node:http is replaced, so `import { request } from 'node:http'`
//    taken before the pack started is covered too;
//  - metric attribute sets are built once per (method, status, ...) combination and reused.
// Span and metric attributes are the stable HTTP semantic conventions, as the upstream instrumentation emits them.

const require = createRequire(import.meta.url);

const STATE: unique symbol = Symbol('otelkit.http');

interface ServerExchange {
  readonly span: Span;
  readonly start: number;
  readonly method: string;
  readonly scheme: string;
  readonly version: string;
}

type Stateful<T, E> = T & { [STATE]?: E | undefined };

const headerSetter: TextMapSetter<ClientRequest> = {
  set(request, key, value) {
    request.setHeader(key, value);
  },
};

export interface NodeHttpRecorderOptions {
  readonly tracer: Tracer;
  readonly serverDuration: Histogram;
  readonly clientDuration: Histogram;
  readonly server: boolean;
  readonly client: boolean;
  /** Inbound request URLs (`/path?query`) that get neither span nor metric. */
  readonly ignore: (url: string | undefined) => boolean;
}

interface ShimmedFunction {
  (...args: unknown[]): unknown;
  __wrapped?: boolean;
  __original?: unknown;
  __unwrap?: () => void;
}

interface HttpModule {
  request: ShimmedFunction;
  Server: { prototype: { emit: ShimmedFunction } };
  ServerResponse: new () => unknown;
}

/** Starts recording; returns the function that stops it (restores `emit`, leaves the channels). */
export function recordNodeHttp(options: NodeHttpRecorderOptions): () => void {
  const { tracer, serverDuration, clientDuration, ignore } = options;
  const http = require('node:http') as HttpModule;
  // https servers are reached through net.Server.prototype (https.Server extends tls.Server extends net.Server), so
  // node:https, and with it TLS, is not loaded for an app that never serves https (about 7 MiB of peak RSS).
  const net = require('node:net') as { Server: { prototype: { emit: ShimmedFunction } } };
  const serverSets = new AttributeSets();
  const stops: (() => void)[] = [];

  function finishServer(response: Stateful<ServerResponse, ServerExchange>, aborted: boolean): void {
    const exchange = response[STATE];
    if (exchange === undefined) return;
    response[STATE] = undefined;
    const seconds = (performance.now() - exchange.start) / 1000;
    const status = aborted ? undefined : response.statusCode;
    const errorType = aborted ? 'aborted' : status !== undefined && status >= 500 ? String(status) : undefined;
    const { span, method, scheme, version } = exchange;
    const route = httpRouteOf(response.req);
    if (span.isRecording()) {
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${route}`);
      }
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (errorType !== undefined) {
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
    const attributes = serverSets.get(`${method} ${status} ${scheme} ${version} ${errorType} ${route}`, () => {
      const a: Attributes = { 'http.request.method': method, 'url.scheme': scheme };
      if (route !== undefined) a['http.route'] = route;
      if (status !== undefined) a['http.response.status_code'] = status;
      if (version !== undefined) a['network.protocol.version'] = version;
      if (errorType !== undefined) a['error.type'] = errorType;
      return a;
    });
    serverDuration.record(seconds, attributes);
  }

  function onServerClose(this: ServerResponse): void {
    finishServer(this, !this.writableFinished);
  }

  /** Starts the SERVER span; the context the handler runs in, or undefined for an ignored request. */
  function startServer(request: IncomingMessage, response: Stateful<ServerResponse, ServerExchange>, scheme: string): Context | undefined {
    if (ignore(request.url)) return undefined;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const method = normalizeMethod(request.method);
    const version = request.httpVersion;
    const span = tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) {
      const url = request.url ?? '/';
      const q = url.indexOf('?');
      const { address, port } = splitHost(request.headers.host, scheme === 'https' ? 443 : 80);
      const attributes: Attributes = {
        'http.request.method': method,
        'url.scheme': scheme,
        'url.path': q === -1 ? url : url.slice(0, q),
        'network.protocol.version': version,
      };
      if (q !== -1) attributes['url.query'] = url.slice(q + 1);
      if (method === '_OTHER' && request.method !== undefined) attributes['http.request.method_original'] = request.method;
      if (address !== undefined) {
        attributes['server.address'] = address;
        attributes['server.port'] = port;
      }
      const peer = request.socket.remoteAddress;
      if (peer !== undefined) {
        attributes['client.address'] = peer;
        attributes['network.peer.address'] = peer;
        if (request.socket.remotePort !== undefined) attributes['network.peer.port'] = request.socket.remotePort;
      }
      const agent = request.headers['user-agent'];
      if (agent !== undefined) attributes['user_agent.original'] = agent;
      span.setAttributes(attributes);
    }
    response[STATE] = { span, start: performance.now(), method, scheme, version };
    response.on('close', onServerClose);
    return trace.setSpan(parent, span);
  }

  /** Wraps `proto.emit` for 'request' events that `accept` takes (a node:http request/response pair). */
  function wrapEmit(proto: { emit: ShimmedFunction }, scheme: string, accept: (server: Server, response: unknown) => boolean): void {
    const original = proto.emit;
    const wrapped: ShimmedFunction = function emit(this: Server, event: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params -- forwarding without copying the arguments
      const args = arguments as unknown as unknown[];
      if (event !== 'request' || !accept(this, args[2])) return Reflect.apply(original, this, args);
      const ctx = startServer(args[1] as IncomingMessage, args[2] as ServerResponse, scheme);
      if (ctx === undefined) return Reflect.apply(original, this, args);
      return context.with(ctx, () => Reflect.apply(original, this, args));
    };
    // The shimmer convention, so `isWrapped()` sees it and an upstream instrumentation registered later unwraps it
    // before wrapping instead of recording every request twice.
    const unwrap = (): void => {
      if (proto.emit === wrapped) proto.emit = original;
    };
    Object.defineProperties(wrapped, {
      __wrapped: { value: true, configurable: true },
      __original: { value: original, configurable: true },
      __unwrap: { value: unwrap, configurable: true },
    });
    proto.emit = wrapped;
    stops.push(unwrap);
  }

  if (options.server) {
    const onFinish = (message: unknown): void => finishServer((message as { response: ServerResponse }).response, false);
    subscribe('http.server.response.finish', onFinish);
    stops.push(() => unsubscribe('http.server.response.finish', onFinish));
    wrapEmit(http.Server.prototype, 'http', () => true);
    // Every other net.Server emitting 'request' with a node:http response is an https server (http.Server has its own
    // wrapper above; http2's compatibility responses are not node:http's and are left alone).
    wrapEmit(net.Server.prototype, 'https', (server, response) => !(server instanceof (http.Server as unknown as new () => unknown)) && response instanceof http.ServerResponse);
  }

  if (options.client) {
    const client = new ClientRecorder(tracer, clientDuration);
    const onCreated = (message: unknown): void => {
      const request = (message as { request: Stateful<ClientRequest, ClientExchange> }).request;
      // otelkit's own exports run with tracing suppressed; an upstream instrumentation the app registered owns it.
      const parent = activeUnlessSuppressed();
      if (parent === undefined || http.request.__wrapped === true || request.headersSent) return;
      const scheme = request.protocol === 'https:' ? 'https' : 'http';
      const hostHeader = request.getHeader('host');
      const host = typeof hostHeader === 'string' ? hostHeader : request.host;
      request[STATE] = client.start(
        parent,
        { method: request.method, scheme, host: splitHost(host, scheme === 'https' ? 443 : 80), url: () => `${scheme}://${host}${request.path}` },
        request,
        headerSetter,
      );
    };
    const onResponse = (message: unknown): void => {
      const { request, response } = message as { request: Stateful<ClientRequest, ClientExchange>; response: IncomingMessage };
      const exchange = request[STATE];
      if (exchange === undefined) return;
      request[STATE] = undefined;
      client.respond(exchange, response.statusCode ?? 0, response.httpVersion);
      client.finish(exchange, undefined);
    };
    const onError = (message: unknown): void => {
      const { request, error } = message as { request: Stateful<ClientRequest, ClientExchange>; error: Error };
      const exchange = request[STATE];
      if (exchange === undefined) return;
      request[STATE] = undefined;
      client.finish(exchange, error);
    };
    subscribe('http.client.request.created', onCreated);
    subscribe('http.client.response.finish', onResponse);
    subscribe('http.client.request.error', onError);
    stops.push(() => {
      unsubscribe('http.client.request.created', onCreated);
      unsubscribe('http.client.response.finish', onResponse);
      unsubscribe('http.client.request.error', onError);
    });
  }

  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
