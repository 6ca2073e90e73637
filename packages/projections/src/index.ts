export { catalog } from './catalog.js';
export type { ProjectionOutcome, ProjectionState } from './catalog.js';
export { bindProjections, configureProjections, instrumentProjection, recordCheckpoint, setProjectionStatus } from './instrument.js';
export type { Position, ProjectionOptions, ProjectionsPackOptions } from './types.js';
export { producerContext } from './trace-links.js';
export { instrumentEmmettProjection } from './adapters/emmett.js';
export type { EmmettProjectionLike, EmmettProjectionOptions } from './adapters/emmett.js';
