import type { AttributeValue, TextMapPropagator } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { ConfigProblem } from '../errors.js';
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

/**
 * TLS material for an `https://` OTLP endpoint, read and checked once by `resolveConfig()`. The paths are for
 * display; the PEM texts are non-enumerable, so a logged, inspected or serialised config never carries them.
 */
export interface ResolvedTls {
  readonly certificateFile?: string;
  readonly clientKeyFile?: string;
  readonly clientCertificateFile?: string;
  /** PEM text of the CA bundle; without it the system's trusted roots verify the collector. */
  readonly ca?: string;
  readonly key?: string;
  readonly cert?: string;
}

/** One OTLP exporter, fully resolved: `endpoint` is the exact URL requests go to. */
export interface ResolvedOtlp {
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly compression: OtlpCompression;
  /** Present when a CA or client certificate is configured and the endpoint is `https://`. */
  readonly tls?: ResolvedTls;
}

export type ResolvedSampler =
  | { readonly kind: 'named'; readonly name: SamplerName; readonly ratio: number }
  | { readonly kind: 'custom'; readonly sampler: Sampler };

export interface ResolvedBatch {
  readonly scheduleDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
}

/** The single, frozen configuration every part of otelkit reads. Built once by `resolveConfig()`. */
export interface ResolvedConfig {
  readonly disabled: boolean;
  readonly serviceName: string;
  /** Where the service name came from, for the preamble and `otelkit doctor`. */
  readonly serviceNameSource: 'code' | 'file' | 'env' | 'package.json' | 'default';
  readonly resourceAttributes: Readonly<Record<string, AttributeValue>>;
  readonly metrics: {
    readonly exporters: readonly MetricsExporterName[];
    readonly otlp: ResolvedOtlp;
    readonly prometheus: {
      readonly host: string;
      readonly port: number;
      readonly auth: PrometheusAuth | undefined;
      readonly collectTimeoutMillis: number;
      /** `collector`: the OpenTelemetry Collector's prometheus exporter naming; `otel-js`: @opentelemetry/exporter-prometheus's. */
      readonly naming: 'collector' | 'otel-js';
    };
    readonly exportIntervalMillis: number;
    readonly exportTimeoutMillis: number;
    readonly runtime: boolean;
    readonly cardinalityLimit: number;
    readonly namespace: string;
  };
  readonly traces: {
    readonly exporters: readonly TracesExporterName[];
    readonly otlp: ResolvedOtlp;
    readonly sampler: ResolvedSampler;
    /** Batch span processor settings; `maxExportBatchSize` is at most `maxQueueSize`. */
    readonly batch: ResolvedBatch;
  };
  readonly propagators: readonly PropagatorName[] | TextMapPropagator;
  readonly logLevel: LogLevel;
  readonly packs: {
    /** From `start({ packs })`: replaces discovery and both env lists. */
    readonly explicit: readonly (string | PackDefinition)[] | undefined;
    /** `OTELKIT_PACKS`: `all` (default), `none`, or an allow-list of package or pack names. */
    readonly allow: 'all' | 'none' | readonly string[];
    readonly disabled: readonly string[];
    readonly options: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  };
  readonly strict: boolean;
  readonly shutdownTimeoutMillis: number;
  readonly configFile: string | undefined;
  /** The app's package.json, used for the service name and pack discovery. */
  readonly appPackageJson: string | undefined;
  /** Every rejected env or file value, in the order found. `start()` logs each as one line. */
  readonly problems: readonly ConfigProblem[];
}
