import type { AttributeValue, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { PackDefinition } from '../pack.js';
import type {
  LogLevel,
  MetricsExporterName,
  OtlpCompression,
  OtlpProtocol,
  PrometheusAuth,
  PropagatorName,
  SamplerName,
  TracesExporterName,
} from '../types.js';

/** A TLS file path and the variable, file key or option that named it (problems name it too). */
export interface TlsFileRef {
  readonly path: string;
  readonly source: string;
}

/** OTLP settings as one source states them; `base` endpoints get `/v1/<signal>` appended for HTTP. */
export interface OtlpLayer {
  baseEndpoint?: string;
  endpoint?: string;
  protocol?: OtlpProtocol;
  headers?: Record<string, string>;
  timeoutMillis?: number;
  compression?: OtlpCompression;
  /** CA (bundle) verifying the collector's certificate. */
  certificate?: TlsFileRef;
  /** mTLS: the client's private key and certificate chain. */
  clientKey?: TlsFileRef;
  clientCertificate?: TlsFileRef;
}

/** Batch span processor settings as one source states them. */
export interface BatchLayer {
  scheduleDelayMillis?: number;
  exportTimeoutMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
}

/** Where a source stated a batch size, e.g. `OTEL_BSP_MAX_QUEUE_SIZE`: the batch-size/queue-size conflict names it. */
export interface BatchSources {
  maxQueueSize?: string;
  maxExportBatchSize?: string;
}

/**
 * What one source (defaults, env, file, code) says. Sources are merged key by key in precedence order; maps
 * (headers, resource attributes) merge entry by entry.
 */
export interface ConfigLayer {
  disabled?: boolean;
  serviceName?: string;
  resourceAttributes?: Record<string, AttributeValue>;
  metricsExporters?: MetricsExporterName[];
  tracesExporters?: TracesExporterName[];
  otlp?: OtlpLayer;
  metricsOtlp?: OtlpLayer;
  tracesOtlp?: OtlpLayer;
  prometheusHost?: string;
  prometheusPort?: number;
  prometheusAuth?: PrometheusAuth;
  /** A credential was asked for but unusable: the pull endpoint must stay off rather than open. */
  prometheusAuthInvalid?: boolean;
  prometheusCollectTimeoutMillis?: number;
  prometheusNaming?: 'collector' | 'otel-js';
  exportIntervalMillis?: number;
  exportTimeoutMillis?: number;
  runtimeMetrics?: boolean;
  cardinalityLimit?: number;
  namespace?: string;
  samplerName?: SamplerName;
  samplerRatio?: number;
  samplerInstance?: Sampler;
  batch?: BatchLayer;
  batchSources?: BatchSources;
  propagators?: PropagatorName[] | TextMapPropagator;
  logLevel?: LogLevel;
  packs?: (string | PackDefinition)[];
  packsAllow?: 'all' | 'none' | string[];
  disabledPacks?: string[];
  packOptions?: Record<string, Record<string, unknown>>;
  strict?: boolean;
  shutdownTimeoutMillis?: number;
}
