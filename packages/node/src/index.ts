export { defineCatalog, SECONDS_BUCKETS } from './catalog.js';
export type { AttributeDefinition, AttributeValues, Catalog, InstrumentKind, MetricDefinition } from './catalog.js';
export { createInstruments } from './instruments.js';
export type { Instruments, StateSet } from './instruments.js';
export { definePack, isPackDefinition } from './pack.js';
export type { PackArtifacts, PackContext, PackDefinition, PackHandle } from './pack.js';
export type { Logger } from './logger.js';
export { prometheusLabel, prometheusName, prometheusTypeOf } from './prometheus/naming.js';
export type { PrometheusType } from './prometheus/naming.js';
