import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type Span,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@otelkit/node/kit';

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

interface Exchange {
  readonly span: Span;
  readonly start: number;
  readonly method: string;
  readonly scheme: string;
  version: string | undefined;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
}

type Stateful<T> = T & { [STATE]?: Exchange | undefined };

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

/** The method as semconv wants it on metrics and spans: one of the known methods, or `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return '_OTHER';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** `host[:port]` (a Host header) split into address and port; IPv6 literals keep their brackets off. */
export function splitHost(host: string | undefined, defaultPort: number): { address: string | undefined; port: number } {
  if (host === undefined || host === '') return { address: undefined, port: defaultPort };
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (colon > close) {
    const port = Number(host.slice(colon + 1));
    return { address: stripBrackets(host.slice(0, colon)), port: Number.isInteger(port) && port > 0 && port < 65536 ? port : defaultPort };
  }
  return { address: stripBrackets(host), port: defaultPort };
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

/**
 * Frozen attribute sets for the duration histograms, one per distinct combination, so recording allocates nothing.
 * Bounded: past `limit` combinations (a client calling thousands of hosts) each record builds its own object, which
 * costs an allocation and nothing else.
 */
class AttributeSets {
  readonly #sets = new Map<string, Attributes>();
  readonly #limit: number;

  constructor(limit = 2048) {
    this.#limit = limit;
  }

  get(key: string, build: () => Attributes): Attributes {
    const cached = this.#sets.get(key);
    if (cached !== undefined) return cached;
    const attributes = Object.freeze(build());
    if (this.#sets.size < this.#limit) this.#sets.set(key, attributes);
    return attributes;
  }
}

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
}

/** Starts recording; returns the function that stops it (restores `emit`, leaves the channels). */
export function recordNodeHttp(options: NodeHttpRecorderOptions): () => void {
  const { tracer, serverDuration, clientDuration, ignore } = options;
  const http = require('node:http') as HttpModule;
  const https = require('node:https') as HttpModule;
  const serverSets = new AttributeSets();
  const clientSets = new AttributeSets();
  const stops: (() => void)[] = [];

  function finishServer(response: Stateful<ServerResponse>, aborted: boolean): void {
    const exchange = response[STATE];
    if (exchange === undefined) return;
    response[STATE] = undefined;
    const seconds = (performance.now() - exchange.start) / 1000;
    const status = aborted ? undefined : response.statusCode;
    const errorType = aborted ? 'aborted' : status !== undefined && status >= 500 ? String(status) : undefined;
    const { span, method, scheme, version } = exchange;
    if (span.isRecording()) {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (errorType !== undefined) {
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
    const attributes = serverSets.get(`${method} ${status} ${scheme} ${version} ${errorType}`, () => {
      const a: Attributes = { 'http.request.method': method, 'url.scheme': scheme };
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
  function startServer(request: IncomingMessage, response: Stateful<ServerResponse>, scheme: string): Context | undefined {
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
    response[STATE] = { span, start: performance.now(), method, scheme, version, serverAddress: undefined, serverPort: undefined };
    response.on('close', onServerClose);
    return trace.setSpan(parent, span);
  }

  function wrapEmit(module: HttpModule, scheme: string): void {
    const proto = module.Server.prototype;
    const original = proto.emit;
    const wrapped: ShimmedFunction = function emit(this: Server, event: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params -- forwarding without copying the arguments
      const args = arguments as unknown as unknown[];
      if (event !== 'request') return Reflect.apply(original, this, args);
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
    wrapEmit(http, 'http');
    wrapEmit(https, 'https');
  }

  if (options.client) {
    function finishClient(request: Stateful<ClientRequest>, status: number | undefined, error: Error | undefined): void {
      const exchange = request[STATE];
      if (exchange === undefined) return;
      request[STATE] = undefined;
      const seconds = (performance.now() - exchange.start) / 1000;
      const errorType =
        error !== undefined ? ((error as NodeJS.ErrnoException).code ?? error.name) : status !== undefined && status >= 400 ? String(status) : undefined;
      const { span, method, scheme, serverAddress, serverPort } = exchange;
      const version = exchange.version;
      if (span.isRecording()) {
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        if (version !== undefined) span.setAttribute('network.protocol.version', version);
        if (errorType !== undefined) {
          span.setAttribute('error.type', errorType);
          if (error !== undefined) span.recordException(error);
          span.setStatus(error !== undefined ? { code: SpanStatusCode.ERROR, message: error.message } : { code: SpanStatusCode.ERROR });
        }
      }
      span.end();
      const attributes = clientSets.get(`${method} ${status} ${scheme} ${serverAddress} ${serverPort} ${version} ${errorType}`, () => {
        const a: Attributes = { 'http.request.method': method, 'url.scheme': scheme };
        if (serverAddress !== undefined) a['server.address'] = serverAddress;
        if (serverPort !== undefined) a['server.port'] = serverPort;
        if (status !== undefined) a['http.response.status_code'] = status;
        if (version !== undefined) a['network.protocol.version'] = version;
        if (errorType !== undefined) a['error.type'] = errorType;
        return a;
      });
      clientDuration.record(seconds, attributes);
    }

    const onCreated = (message: unknown): void => {
      const request = (message as { request: Stateful<ClientRequest> }).request;
      const active = context.active();
      // otelkit's own exports run with tracing suppressed; an upstream instrumentation the app registered owns it.
      if (isTracingSuppressed(active) || http.request.__wrapped === true || request.headersSent) return;
      const method = normalizeMethod(request.method);
      const scheme = request.protocol === 'https:' ? 'https' : 'http';
      const host = request.getHeader('host');
      const { address, port } = splitHost(typeof host === 'string' ? host : request.host, scheme === 'https' ? 443 : 80);
      const span = tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: SpanKind.CLIENT }, active);
      if (span.isRecording()) {
        const attributes: Attributes = { 'http.request.method': method, 'url.scheme': scheme, 'server.port': port };
        if (address !== undefined) {
          attributes['server.address'] = address;
          attributes['url.full'] = `${scheme}://${host ?? address}${request.path}`;
        }
        if (method === '_OTHER') attributes['http.request.method_original'] = request.method;
        span.setAttributes(attributes);
      }
      propagation.inject(trace.setSpan(active, span), request, headerSetter);
      request[STATE] = { span, start: performance.now(), method, scheme, version: undefined, serverAddress: address, serverPort: port };
    };
    const onResponse = (message: unknown): void => {
      const { request, response } = message as { request: Stateful<ClientRequest>; response: IncomingMessage };
      const exchange = request[STATE];
      if (exchange === undefined) return;
      exchange.version = response.httpVersion;
      finishClient(request, response.statusCode, undefined);
    };
    const onError = (message: unknown): void => {
      const { request, error } = message as { request: Stateful<ClientRequest>; error: Error };
      finishClient(request, undefined, error);
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
