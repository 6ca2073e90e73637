export { defineCatalog, SECONDS_BUCKETS } from './catalog.js';
export type { AttributeDefinition, AttributeValues, Catalog, InstrumentKind, MetricDefinition } from './catalog.js';
export { createInstruments } from './instruments.js';
export type { Instruments, StateSet } from './instruments.js';
export { definePack, isPackDefinition } from './pack.js';
export { createLateBinding } from './late-binding.js';
export type { Bound, LateBinding } from './late-binding.js';
export type { PackArtifacts, PackContext, PackDefinition, PackHandle } from './pack.js';
export type { Logger } from './logger.js';
export { otlpTypeOf, prometheusLabel, prometheusMetricName, prometheusName, prometheusNameForKind, prometheusTypeOf } from './prometheus/naming.js';
export type { OtlpMetricType, PrometheusType } from './prometheus/naming.js';
export { serializePrometheus } from './prometheus/serialize.js';
export type { SerializeOptions } from './prometheus/serialize.js';
export { createPrometheusPullReader, PrometheusPullReader } from './prometheus/pull-reader.js';
export type { PrometheusPullReaderOptions } from './prometheus/pull-reader.js';
export { runtimeCatalog, startRuntimeMetrics } from './runtime/index.js';
export type { RuntimeMetricsHandle, RuntimeMetricsOptions } from './runtime/index.js';
export { start } from './start.js';
export type { StartedOtelkit } from './start.js';
export type {
  BatchSpanOptions,
  LogLevel,
  MetricsExporterName,
  MetricsOptions,
  NamedSampler,
  OtelkitHandle,
  OtelkitOptions,
  OtlpCompression,
  OtlpExporterOptions,
  OtlpProtocol,
  PrometheusAuth,
  PrometheusOptions,
  PropagatorName,
  SamplerName,
  TracesExporterName,
  TracesOptions,
} from './types.js';
export { ERROR_CODES, OtelkitError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { resolveConfig } from './config/index.js';
export type { ResolvedConfig, ResolveContext } from './config/index.js';
export { discoverPacks } from './pack-loader.js';
export type { DiscoveredPack, SkippedPack } from './pack-loader.js';
export { counter, gauge, histogram, startTimer, timed, upDownCounter, withSpan } from './api/index.js';
export type { AppHistogramOptions, AppInstrumentOptions, Timer, WithSpanOptions } from './api/index.js';
export { VERSION } from './version.js';
export { CONCURRENCY_ERROR_NAMES, errorClassName } from './conventions/error-type.js';
export { spanContextFromEventMetadata } from './conventions/event-trace-context.js';
