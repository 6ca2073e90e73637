export { catalog } from './catalog.js';
export type { EventStoreOperation, EventStoreOutcome } from './catalog.js';
export { bindEventStore, configureEventStore, instrumentEventStore } from './instrument.js';
export type { EventStorePackOptions, InstrumentEventStoreOptions } from './types.js';
export { extractTraceContext, formatTraceparent, traceMetadata } from './trace-context.js';
export type { TraceContextConvention, TraceContextKeys } from './trace-context.js';
export { instrumentEmmettEventStore } from './adapters/emmett.js';
export { instrumentKurrentDBClient, patchKurrentDBClient } from './adapters/kurrentdb.js';
