import type { AttributeValue, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { PackDefinition } from './pack.js';

/** Where metrics go. `prometheus` is the pull endpoint; several may be combined. */
export type MetricsExporterName = 'otlp' | 'prometheus' | 'console' | 'none';
/** Where spans go. */
export type TracesExporterName = 'otlp' | 'console' | 'none';
/** OTLP wire protocol. */
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
/** OTLP payload compression. */
export type OtlpCompression = 'gzip' | 'none';
/** Sampler names as in `OTEL_TRACES_SAMPLER`. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';
/** Propagator names as in `OTEL_PROPAGATORS`. `b3` is single-header B3, `b3multi` the multi-header form. */
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'none';
/** otelkit's own log level, as in `OTEL_LOG_LEVEL`. */
export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

/** One OTLP exporter's connection settings. */
export interface OtlpExporterOptions {
  /**
   * Full URL for this signal. For HTTP protocols this is used as-is (no `/v1/...` appended).
   * @default grpc `http://localhost:4317`, http `http://localhost:4318/v1/<signal>`
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL; `/v1/<signal>` is
   * appended for HTTP protocols).
   */
  endpoint?: string;
  /**
   * @default metrics `grpc`, traces `http/protobuf`
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL`.
   */
  protocol?: OtlpProtocol;
  /**
   * Extra request headers (gRPC metadata for `grpc`). Values are redacted in otelkit's log lines.
   * @default {}
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS`, `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, URL-encoded values).
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * @default 10000
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT`, `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds).
   */
  timeoutMillis?: number;
  /**
   * @default 'none'
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_COMPRESSION`, `OTEL_EXPORTER_OTLP_COMPRESSION`.
   */
  compression?: OtlpCompression;
  /**
   * PEM file of the CA (or bundle) that verifies the collector's certificate on an `https://` endpoint. Read once
   * at `start()`; an unreadable file or bad PEM is one `OTELKIT_E_TLS` line and this exporter is disabled.
   * @default the system's trusted roots
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_CERTIFICATE`, `OTEL_EXPORTER_OTLP_CERTIFICATE`.
   */
  certificateFile?: string;
  /**
   * mTLS: PEM file of the client's private key (unencrypted); needs `clientCertificateFile`.
   * @default none
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_CLIENT_KEY`, `OTEL_EXPORTER_OTLP_CLIENT_KEY`.
   */
  clientKeyFile?: string;
  /**
   * mTLS: PEM file of the client's certificate (chain); needs `clientKeyFile`.
   * @default none
   * Env: `OTEL_EXPORTER_OTLP_<SIGNAL>_CLIENT_CERTIFICATE`, `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`.
   */
  clientCertificateFile?: string;
}

/** Credential the Prometheus pull endpoint demands; unauthenticated requests get 401. */
export type PrometheusAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string };

/** The Prometheus pull endpoint. */
export interface PrometheusOptions {
  /**
   * @default '0.0.0.0'
   * Env: `OTEL_EXPORTER_PROMETHEUS_HOST`.
   */
  host?: string;
  /**
   * @default 9464
   * Env: `OTEL_EXPORTER_PROMETHEUS_PORT`.
   */
  port?: number;
  /**
   * Opt-in credential for `GET /metrics`. A string takes the env form `basic:<user>:<password>` or
   * `bearer:<token>`.
   * @default undefined (no authentication)
   * Env: `OTELKIT_PROMETHEUS_AUTH`.
   */
  auth?: PrometheusAuth | string;
  /**
   * Bound on the collection behind one scrape, in milliseconds. Observable callbacks that have not settled by
   * then (a slow database query behind a gauge) are left out of that answer and counted in
   * `otelkit.metric.callbacks.late`; concurrent scrapes share one collection. Keep it below Prometheus'
   * `scrape_timeout` (10 s by default).
   * @default 5000
   * Env: `OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS`.
   */
  collectTimeoutMillis?: number;
  /**
   * Series names on the pull endpoint: `collector` (the OpenTelemetry Collector's prometheus exporter naming, the
   * same series as the collector path) or `otel-js` (what `@opentelemetry/exporter-prometheus` serves, rendered by
   * that package, for dashboards built on it). See the README's naming table.
   * @default 'collector'
   * Env: `OTELKIT_PROMETHEUS_NAMING`.
   */
  naming?: 'collector' | 'otel-js';
}

/** Metrics pipeline options. */
export interface MetricsOptions {
  /**
   * One or more exporters; `none` alone turns metrics off.
   * @default ['otlp', 'prometheus']
   * Env: `OTEL_METRICS_EXPORTER` (comma-separated).
   */
  exporters?: MetricsExporterName | readonly MetricsExporterName[];
  /** OTLP metrics exporter. */
  otlp?: OtlpExporterOptions;
  /** Prometheus pull endpoint. */
  prometheus?: PrometheusOptions;
  /**
   * Interval between pushes (OTLP and console).
   * @default 60000
   * Env: `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds).
   */
  exportIntervalMillis?: number;
  /**
   * @default 30000
   * Env: `OTEL_METRIC_EXPORT_TIMEOUT` (milliseconds).
   */
  exportTimeoutMillis?: number;
  /**
   * Node.js runtime metrics (event loop, GC, heap, CPU, memory).
   * @default true
   * Env: `OTELKIT_RUNTIME_METRICS`.
   */
  runtime?: boolean;
  /**
   * Distinct attribute sets kept per instrument; further sets are folded into one `otel.metric.overflow=true`
   * series and counted in `otelkit.metric.overflows`.
   * @default 2000
   * Env: `OTELKIT_CARDINALITY_LIMIT`.
   */
  cardinalityLimit?: number;
  /**
   * Prefix for every pack metric (`<namespace>.command.duration`).
   * @default ''
   * Env: `OTELKIT_METRIC_NAMESPACE`.
   */
  namespace?: string;
}

/** A sampler given by name and optional ratio. */
export interface NamedSampler {
  readonly name: SamplerName;
  /** Ratio for the `traceidratio` samplers, 0..1. */
  readonly ratio?: number;
}

/**
 * The batch span processor in front of every trace exporter. `maxExportBatchSize` above `maxQueueSize` is
 * lowered to it (with one `otelkit:` line when the batch size came from env or the config file).
 */
export interface BatchSpanOptions {
  /**
   * Wait after a span ends before its batch is exported.
   * @default 5000
   * Env: `OTEL_BSP_SCHEDULE_DELAY` (milliseconds).
   */
  scheduleDelayMillis?: number;
  /**
   * Upper bound on one batch export.
   * @default 30000
   * Env: `OTEL_BSP_EXPORT_TIMEOUT` (milliseconds).
   */
  exportTimeoutMillis?: number;
  /**
   * Spans buffered for export; more are dropped and counted as `otelkit.spans.dropped`.
   * @default 2048
   * Env: `OTEL_BSP_MAX_QUEUE_SIZE`.
   */
  maxQueueSize?: number;
  /**
   * Spans per export request; a full batch is exported without waiting for the delay.
   * @default 512
   * Env: `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
   */
  maxExportBatchSize?: number;
}

/** Tracing pipeline options. */
export interface TracesOptions {
  /**
   * @default ['otlp']
   * Env: `OTEL_TRACES_EXPORTER` (comma-separated).
   */
  exporters?: TracesExporterName | readonly TracesExporterName[];
  /** OTLP trace exporter. */
  otlp?: OtlpExporterOptions;
  /**
   * A sampler name, a name with a ratio, or any `Sampler` instance.
   * @default 'parentbased_always_on'
   * Env: `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`.
   */
  sampler?: SamplerName | NamedSampler | Sampler;
  /** Batch span processor settings. */
  batch?: BatchSpanOptions;
}

/** Options of `start()`. Everything is optional; code options win over the config file, env and defaults. */
export interface OtelkitOptions {
  /**
   * Turns otelkit into a no-op: no providers, no exporters, no packs.
   * @default false
   * Env: `OTEL_SDK_DISABLED`.
   */
  disabled?: boolean;
  /**
   * @default the `name` in the app's package.json, else `unknown_service:node`
   * Env: `OTEL_SERVICE_NAME`.
   */
  serviceName?: string;
  /**
   * Extra resource attributes.
   * @default {}
   * Env: `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k2=v2`).
   */
  resourceAttributes?: Readonly<Record<string, AttributeValue>>;
  metrics?: MetricsOptions;
  traces?: TracesOptions;
  /**
   * Propagator names, or one propagator instance.
   * @default ['tracecontext', 'baggage']
   * Env: `OTEL_PROPAGATORS`.
   */
  propagators?: readonly PropagatorName[] | TextMapPropagator;
  /**
   * @default 'info'
   * Env: `OTEL_LOG_LEVEL`.
   */
  logLevel?: LogLevel;
  /**
   * Packs to load, by package name or definition. Overrides discovery, `OTELKIT_PACKS` and
   * `OTELKIT_DISABLED_PACKS`.
   * @default discovered from the app's package.json
   * Env: `OTELKIT_PACKS` (comma-separated allow-list, or `none`).
   */
  packs?: readonly (string | PackDefinition)[];
  /**
   * Discovered packs to skip, by package name or pack name.
   * @default []
   * Env: `OTELKIT_DISABLED_PACKS`.
   */
  disabledPacks?: readonly string[];
  /** Per-pack options, keyed by pack name; handed to the pack's `setup` as `ctx.options`. */
  packOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Exit the process (code 1) when an env or config-file value is invalid, instead of falling back.
   * @default false
   * Env: `OTELKIT_STRICT`.
   */
  strict?: boolean;
  /**
   * Upper bound on the flush at shutdown.
   * @default 5000
   * Env: `OTELKIT_SHUTDOWN_TIMEOUT_MS`.
   */
  shutdownTimeoutMillis?: number;
  /**
   * Path to a YAML file in the supported subset of the OpenTelemetry declarative configuration schema.
   * @default undefined
   * Env: `OTEL_CONFIG_FILE`.
   */
  configFile?: string;
}

/** What `start()` returns. */
export interface OtelkitHandle {
  /** Flushes and stops every provider, reader and pack. Resolves even when exporters fail; never rejects. */
  shutdown(): Promise<void>;
  /** Pushes whatever is buffered now. Never rejects. */
  forceFlush(): Promise<void>;
}
