import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Histogram, TextMapSetter, Tracer } from '@opentelemetry/api';
import { activeUnlessSuppressed, ClientRecorder, splitHost, type ClientExchange } from './exchange.js';

// fetch (node's bundled undici, or the undici package) from undici's diagnostics channels, with the CLIENT recorder
// node:http uses: `undici:request:create` (the request is built in the caller's context; the trace context goes
// into its headers), `undici:client:sendHeaders` (the protocol on the wire), `undici:request:headers` (status),
// `undici:request:trailers` (the body is fully received: the end, as the upstream undici instrumentation measures it)
// and `undici:request:error`. The upstream instrumentation did the same from the same channels, plus a URL parse
// and a header-list parse per request and the @opentelemetry/instrumentation runtime: about 80 KB of bundle and
// 5 ms of the pack's startup, for nothing this needs.

/** The parts of undici's request object the channels hand out that are used here. */
interface UndiciRequest {
  readonly origin: string | URL;
  readonly method: string;
  readonly path: string;
  headers?: string | string[];
  addHeader?: (name: string, value: string) => unknown;
}

const STATE: unique symbol = Symbol('otelkit.fetch');

type Stateful = UndiciRequest & { [STATE]?: ClientExchange | undefined };

const headerSetter: TextMapSetter<UndiciRequest> = {
  set(request, key, value) {
    if (typeof request.addHeader === 'function') request.addHeader(key, value);
    else if (Array.isArray(request.headers)) request.headers.push(key, value);
    else if (typeof request.headers === 'string') request.headers += `${key}: ${value}\r\n`;
  },
};

/** Starts recording fetch; returns the function that stops it. */
export function recordFetch(tracer: Tracer, duration: Histogram): () => void {
  const client = new ClientRecorder(tracer, duration);
  const take = (request: Stateful): ClientExchange | undefined => {
    const exchange = request[STATE];
    request[STATE] = undefined;
    return exchange;
  };
  const onCreate = (message: unknown): void => {
    const request = (message as { request: Stateful }).request;
    if (request.method === 'CONNECT') return;
    const parent = activeUnlessSuppressed();
    if (parent === undefined) return;
    const origin = String(request.origin);
    const https = origin.startsWith('https:');
    const scheme = https ? 'https' : 'http';
    // origin is `scheme://host[:port]`, no path: the host part is all after the `//`.
    const host = splitHost(origin.slice(origin.indexOf('//') + 2), https ? 443 : 80);
    request[STATE] = client.start(parent, { method: request.method, scheme, host, url: () => `${origin}${request.path}` }, request, headerSetter);
  };
  const onSendHeaders = (message: unknown): void => {
    const { request, socket } = message as { request: Stateful; socket: { alpnProtocol?: string | false } };
    const exchange = request[STATE];
    if (exchange !== undefined) exchange.version = socket.alpnProtocol === 'h2' ? '2' : '1.1';
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as { request: Stateful; response: { statusCode: number } };
    const exchange = request[STATE];
    if (exchange !== undefined) client.respond(exchange, response.statusCode, exchange.version);
  };
  const onTrailers = (message: unknown): void => {
    const exchange = take((message as { request: Stateful }).request);
    if (exchange !== undefined) client.finish(exchange, undefined);
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request: Stateful; error: Error };
    const exchange = take(request);
    if (exchange === undefined) return;
    // An abort is the caller's decision, not a failed request: ended without an error, as upstream does.
    const aborted = error.name === 'AbortError' || (error as { code?: unknown }).code === 20;
    client.finish(exchange, aborted ? undefined : error);
  };
  const channels: [string, (message: unknown) => void][] = [
    ['undici:request:create', onCreate],
    ['undici:client:sendHeaders', onSendHeaders],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
  ];
  for (const [name, fn] of channels) subscribe(name, fn);
  return () => {
    for (const [name, fn] of channels) unsubscribe(name, fn);
  };
}
