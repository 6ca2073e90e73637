// What a pack needs at run time, and nothing of the SDK: a pack imports `@otelkit/node/kit`, so loading one costs a
// small bundle instead of core's whole module graph (the SDK is already loaded once, by the register entry or by
// `start()`). Everything here is pure or works through the global `@opentelemetry/api` providers.
export { defineCatalog, SECONDS_BUCKETS } from './catalog.js';
export type { AttributeDefinition, AttributeValues, Catalog, InstrumentKind, MetricDefinition } from './catalog.js';
export { createInstruments } from './instruments.js';
export type { Instruments, StateSet } from './instruments.js';
export { definePack, isPackDefinition } from './pack.js';
export type { PackArtifacts, PackContext, PackDefinition, PackHandle } from './pack.js';
export { createLateBinding } from './late-binding.js';
export { PrototypePatch } from './prototype-patch.js';
export type { Bound, LateBinding } from './late-binding.js';
export type { Logger } from './logger.js';
export { CONCURRENCY_ERROR_NAMES, errorClassName } from './conventions/error-type.js';
export { spanContextFromEventMetadata } from './conventions/event-trace-context.js';
export { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';
