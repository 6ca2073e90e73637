import { isTracingSuppressed } from '@otelkit/node/kit';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Histogram, type Span, type TextMapSetter, type Tracer } from '@opentelemetry/api';

// What the node:http and fetch recorders share: method and host normalisation, reusable metric attribute sets, and
// the CLIENT side of an exchange (span, context injection, duration by outcome). Stable HTTP semantic conventions.

const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

/** The method as semconv wants it on metrics and spans: one of the known methods, or `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return '_OTHER';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

export interface HostPort {
  readonly address: string | undefined;
  readonly port: number;
}

/** `host[:port]` (a Host header or a URL's host) split into address and port; IPv6 literals lose their brackets. */
export function splitHost(host: string | undefined, defaultPort: number): HostPort {
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
 * Frozen attribute sets for the duration histograms, one per distinct combination, so recording allocates nothing
 * and the metrics SDK keys each set once. Bounded: past `limit` combinations (a client calling thousands of hosts)
 * each record builds its own object, which costs an allocation and nothing else.
 */
export class AttributeSets {
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

/** One outbound request in flight. */
export interface ClientExchange {
  readonly span: Span;
  readonly start: number;
  readonly method: string;
  readonly scheme: string;
  readonly serverAddress: string | undefined;
  readonly serverPort: number;
  version: string | undefined;
  status: number | undefined;
}

export interface ClientRequestInfo {
  /** As sent; normalised here. */
  readonly method: string;
  readonly scheme: 'http' | 'https';
  readonly host: HostPort;
  /** `url.full` for the span, computed only when the span records. */
  readonly url: () => string;
}

/** The CLIENT side: spans, trace-context injection and `http.client.request.duration`. */
export class ClientRecorder {
  readonly #tracer: Tracer;
  readonly #duration: Histogram;
  readonly #sets = new AttributeSets();

  constructor(tracer: Tracer, duration: Histogram) {
    this.#tracer = tracer;
    this.#duration = duration;
  }

  /** Starts the CLIENT span under `parent` and injects its context through `setter` into `carrier`. */
  start<C>(parent: Context, info: ClientRequestInfo, carrier: C, setter: TextMapSetter<C>): ClientExchange {
    const method = normalizeMethod(info.method);
    const { address, port } = info.host;
    const span = this.#tracer.startSpan(method === '_OTHER' ? 'HTTP' : method, { kind: SpanKind.CLIENT }, parent);
    if (span.isRecording()) {
      const attributes: Attributes = { 'http.request.method': method, 'url.scheme': info.scheme, 'server.port': port, 'url.full': info.url() };
      if (address !== undefined) attributes['server.address'] = address;
      if (method === '_OTHER') attributes['http.request.method_original'] = info.method;
      span.setAttributes(attributes);
    }
    propagation.inject(trace.setSpan(parent, span), carrier, setter);
    return { span, start: performance.now(), method, scheme: info.scheme, serverAddress: address, serverPort: port, version: undefined, status: undefined };
  }

  /** The response headers arrived. */
  respond(exchange: ClientExchange, status: number, version: string | undefined): void {
    exchange.status = status;
    exchange.version = version;
    const span = exchange.span;
    if (span.isRecording()) {
      span.setAttribute('http.response.status_code', status);
      if (version !== undefined) span.setAttribute('network.protocol.version', version);
      if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  /** The exchange is over: the span ends and the duration is recorded, with `error` if it failed. */
  finish(exchange: ClientExchange, error: Error | undefined): void {
    const seconds = (performance.now() - exchange.start) / 1000;
    const { span, method, scheme, serverAddress, serverPort, version, status } = exchange;
    const errorType = error !== undefined ? ((error as NodeJS.ErrnoException).code ?? error.name) : status !== undefined && status >= 400 ? String(status) : undefined;
    if (span.isRecording() && errorType !== undefined) {
      span.setAttribute('error.type', errorType);
      if (error !== undefined) {
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
    }
    span.end();
    const attributes = this.#sets.get(`${method} ${status} ${scheme} ${serverAddress} ${serverPort} ${version} ${errorType}`, () => {
      const a: Attributes = { 'http.request.method': method, 'url.scheme': scheme, 'server.port': serverPort };
      if (serverAddress !== undefined) a['server.address'] = serverAddress;
      if (status !== undefined) a['http.response.status_code'] = status;
      if (version !== undefined) a['network.protocol.version'] = version;
      if (errorType !== undefined) a['error.type'] = errorType;
      return a;
    });
    this.#duration.record(seconds, attributes);
  }
}

/** The context outbound requests are made in; undefined when tracing is suppressed (otelkit's own exports). */
export function activeUnlessSuppressed(): Context | undefined {
  const active = context.active();
  return isTracingSuppressed(active) ? undefined : active;
}
