import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { MetricReader, TimeoutError, type CollectionResult, type MetricReaderOptions } from '@opentelemetry/sdk-metrics';
import type { Logger } from '../logger.js';
import { createAuthChecker, type PrometheusAuth } from './auth.js';
import { acceptsGzip, OPENMETRICS_CONTENT_TYPE, prefersOpenMetrics, TEXT_CONTENT_TYPE } from './content-type.js';
import { serializePrometheus } from './serialize.js';

/** Options of {@link createPrometheusPullReader}. */
export interface PrometheusPullReaderOptions {
  /** Interface to listen on. @default '0.0.0.0' */
  readonly host?: string;
  /** TCP port; 0 picks a free one (see {@link PrometheusPullReader.url}). @default 9464 */
  readonly port?: number;
  /** Path serving the exposition; every other path answers 404. @default '/metrics' */
  readonly path?: string;
  /** Opt-in credential; requests without it get 401 and a `WWW-Authenticate` challenge. */
  readonly auth?: PrometheusAuth;
  /** Where the one warning about a failed listen (and later server errors) goes. */
  readonly logger?: Logger;
  /** Called once when the server cannot listen (e.g. port taken), in addition to the logged warning. */
  readonly onError?: (error: Error) => void;
  /** Do not listen now; call {@link PrometheusPullReader.startServer} later (tests, or serializing only). */
  readonly preventServerStart?: boolean;
  readonly cardinalitySelector?: MetricReaderOptions['cardinalitySelector'];
  readonly aggregationSelector?: MetricReaderOptions['aggregationSelector'];
  readonly metricProducers?: MetricReaderOptions['metricProducers'];
  /**
   * Bound on a scrape's collection: an observable callback that has not settled by then is left out of the answer
   * (the SDK reports it as a TimeoutError in the collection's errors), so one slow callback never hangs a scrape.
   * Keep it below Prometheus' `scrape_timeout`. @default 5000
   */
  readonly collectTimeoutMillis?: number;
  /**
   * `collector` (default): the OpenTelemetry Collector's naming, what the collector path serves. `otel-js`: the
   * exposition `@opentelemetry/exporter-prometheus` serves, rendered by that package's serializer (loaded on the
   * first scrape), for dashboards built on it; always Prometheus text 0.0.4, as that exporter serves.
   */
  readonly naming?: 'collector' | 'otel-js';
  /**
   * Serve what another reader with cumulative temporality collects (e.g. the OTLP PeriodicExportingMetricReader)
   * instead of registering this one on the MeterProvider. Every extra reader makes the SDK aggregate each
   * measurement once more, so sharing the OTLP reader's storage halves the recording cost of dual export.
   * Collecting cumulative data has no side effects, so scrapes do not disturb the OTLP exports.
   */
  readonly source?: CollectionSource;
}

/** Something that collects the SDK's metrics; `timeoutMillis` bounds the observable callbacks. */
export interface CollectionSource {
  collect(options?: { timeoutMillis?: number }): Promise<CollectionResult>;
}

/** Observable callbacks that did not settle within a collection's timeout. */
export function lateCallbacks(errors: readonly unknown[]): number {
  let late = 0;
  for (const error of errors) if (error instanceof TimeoutError) late++;
  return late;
}

/** The collection behind a scrape did not settle in time. */
export class CollectionTimedOut extends Error {
  constructor(ms: number) {
    super(`metrics collection did not settle within ${ms} ms`);
    this.name = 'CollectionTimedOut';
  }
}

// A source that ignores the timeout (a custom one) still must not hold a scrape forever: past the timeout plus this
// grace the endpoint answers 503.
const SOURCE_GRACE_MS = 1000;

const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A MetricReader that serves the Prometheus pull endpoint, naming series as the OpenTelemetry Collector's
 * prometheus exporter does. Listening failures never throw: they resolve {@link ready} to false and log one warning.
 */
export class PrometheusPullReader extends MetricReader {
  /** Resolves true once listening, false if the server could not listen (or was never started). */
  readonly ready: Promise<boolean>;
  readonly #host: string;
  readonly #port: number;
  readonly #path: string;
  readonly #auth: ReturnType<typeof createAuthChecker> | undefined;
  readonly #logger: Logger;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #source: CollectionSource | undefined;
  readonly #collectTimeout: number;
  readonly #naming: 'collector' | 'otel-js';
  #otelJs: Promise<{ serialize(resourceMetrics: CollectionResult['resourceMetrics']): string }> | undefined;
  /** The collection scrapes share: concurrent scrapes wait for the one in flight instead of starting another. */
  #inflight: Promise<CollectionResult | undefined> | undefined;
  #server: Server | undefined;
  #boundPort: number | undefined;
  #resolveReady: (ok: boolean) => void = () => {};
  #started = false;
  #collectErrorLogged = false;
  #lateLogged = false;

  constructor(options: PrometheusPullReaderOptions = {}) {
    const readerOptions: MetricReaderOptions = {};
    if (options.cardinalitySelector !== undefined) readerOptions.cardinalitySelector = options.cardinalitySelector;
    if (options.aggregationSelector !== undefined) readerOptions.aggregationSelector = options.aggregationSelector;
    if (options.metricProducers !== undefined) readerOptions.metricProducers = options.metricProducers;
    super(readerOptions);
    this.#host = options.host ?? '0.0.0.0';
    this.#port = options.port ?? 9464;
    this.#path = options.path ?? '/metrics';
    this.#auth = options.auth === undefined ? undefined : createAuthChecker(options.auth);
    this.#logger = options.logger ?? silentLogger;
    this.#onError = options.onError;
    this.#source = options.source;
    this.#collectTimeout = options.collectTimeoutMillis ?? 5000;
    this.#naming = options.naming ?? 'collector';
    this.ready = new Promise<boolean>((resolve) => {
      this.#resolveReady = resolve;
    });
    if (options.preventServerStart !== true) void this.startServer();
  }

  /** `http://host:port/path` with the bound port (useful with port 0); undefined until listening. */
  get url(): string | undefined {
    if (this.#boundPort === undefined) return undefined;
    const host = this.#host === '0.0.0.0' || this.#host === '::' ? 'localhost' : this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#boundPort}${this.#path}`;
  }

  /** Starts listening (once). Resolves like {@link ready}; never rejects. */
  async startServer(): Promise<boolean> {
    if (this.#started) return this.ready;
    this.#started = true;
    try {
      // getBuiltinModule, not `import('node:http')`: building the ESM namespace of node:http evaluates its lazy
      // WebSocket/EventSource getters and loads undici, which costs tens of milliseconds at startup.
      const { createServer } = process.getBuiltinModule('node:http');
      const server = createServer((req, res) => {
        this.#handle(req, res).catch((error: unknown) => this.#fail(res, error));
      });
      this.#server = server;
      // The endpoint must never keep an app alive that would otherwise exit, nor hold it with keep-alive sockets.
      server.unref();
      server.on('connection', (socket) => socket.unref());
      server.once('error', (error) => this.#listenFailed(error));
      server.listen(this.#port, this.#host, () => {
        const address = server.address();
        this.#boundPort = typeof address === 'object' && address !== null ? address.port : this.#port;
        server.removeAllListeners('error');
        server.on('error', (error) => this.#logger.warn(`otelkit: Prometheus pull endpoint error: ${error.message}`));
        this.#resolveReady(true);
      });
    } catch (error) {
      this.#listenFailed(error as Error);
    }
    return this.ready;
  }

  /**
   * Renders the current exposition as the endpoint would for the given Accept header. Rejects with
   * {@link CollectionTimedOut} when the collection did not settle even after its timeout (only a source that
   * ignores the timeout can do that; the endpoint answers 503).
   */
  async render(accept?: string): Promise<{ readonly contentType: string; readonly body: string }> {
    const openMetrics = prefersOpenMetrics(accept);
    const collected = await this.#sharedCollection();
    if (collected === undefined) throw new CollectionTimedOut(this.#collectTimeout + SOURCE_GRACE_MS);
    const { resourceMetrics, errors } = collected;
    const late = lateCallbacks(errors);
    if (late > 0 && !this.#lateLogged) {
      this.#lateLogged = true;
      this.#logger.warn(
        `otelkit: ${late} metric callback(s) did not finish within ${this.#collectTimeout} ms while serving /metrics; the scrape answered without their values (shown once; counted in otelkit.metric.callbacks.late; OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS)`,
      );
    }
    if (errors.length > late && !this.#collectErrorLogged) {
      this.#collectErrorLogged = true;
      const error = errors.find((e) => !(e instanceof TimeoutError));
      this.#logger.warn(`otelkit: a metric callback failed while serving /metrics (shown once): ${String(error)}`);
    }
    if (this.#naming === 'otel-js') {
      // The upstream exporter's own defaults: no prefix, no timestamps, target_info and otel_scope_* labels kept.
      this.#otelJs ??= import('@opentelemetry/exporter-prometheus').then(({ PrometheusSerializer }) => new PrometheusSerializer());
      return { contentType: TEXT_CONTENT_TYPE, body: (await this.#otelJs).serialize(resourceMetrics) };
    }
    return {
      contentType: openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
      body: serializePrometheus(resourceMetrics, { openMetrics }),
    };
  }

  #sharedCollection(): Promise<CollectionResult | undefined> {
    if (this.#inflight !== undefined) return this.#inflight;
    const timeoutMillis = this.#collectTimeout;
    const collection = (this.#source ?? this).collect({ timeoutMillis });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, Math.min(timeoutMillis + SOURCE_GRACE_MS, 2_147_483_647), undefined);
      timer.unref();
    });
    const inflight = Promise.race([collection, gaveUp]).finally(() => {
      clearTimeout(timer);
      this.#inflight = undefined;
    });
    this.#inflight = inflight;
    return inflight;
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    const server = this.#server;
    this.#resolveReady(false);
    if (server === undefined || !server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  #listenFailed(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied' : error.message;
    this.#logger.warn(
      `otelkit: Prometheus pull endpoint could not listen on ${this.#host}:${this.#port} (${why}); ` +
        'it is disabled, other metric exporters keep working (set OTEL_EXPORTER_PROMETHEUS_PORT to change the port)',
    );
    this.#server = undefined;
    this.#resolveReady(false);
    try {
      this.#onError?.(error);
    } catch {
      // A throwing callback must not turn a busy port into a crash.
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== this.#path) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`Not found. Metrics are at ${this.#path}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    if (this.#auth !== undefined && !this.#auth.check(req.headers.authorization)) {
      res.writeHead(401, { 'www-authenticate': this.#auth.challenge, 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
      return;
    }
    const { contentType, body } = await this.render(req.headers.accept);
    // Encode once: the length header and the body come from the same buffer.
    const bytes = Buffer.from(body, 'utf8');
    if (acceptsGzip(req.headers['accept-encoding'])) {
      // Level 3 on the thread pool: 10k series (2 MB of text) become 62 KB in about 2 ms; level 6 saves 6 % more for
      // three times the CPU.
      // node:zlib is loaded on the first compressed scrape, not at startup.
      const { gzip } = await import('node:zlib');
      const compressed = await new Promise<Buffer>((resolve, reject) => gzip(bytes, { level: 3 }, (error, out) => (error === null ? resolve(out) : reject(error))));
      res.writeHead(200, { 'content-type': contentType, 'content-encoding': 'gzip', vary: 'Accept-Encoding', 'content-length': compressed.length });
      res.end(req.method === 'HEAD' ? undefined : compressed);
      return;
    }
    res.writeHead(200, { 'content-type': contentType, vary: 'Accept-Encoding', 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (error instanceof CollectionTimedOut) {
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
      res.end('otelkit: metrics collection timed out\n');
      return;
    }
    this.#logger.debug(`otelkit: /metrics failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('otelkit: metrics collection failed\n');
  }
}

/** Creates the pull endpoint's reader; register it on the MeterProvider next to the OTLP reader. */
export function createPrometheusPullReader(options: PrometheusPullReaderOptions = {}): PrometheusPullReader {
  return new PrometheusPullReader(options);
}
