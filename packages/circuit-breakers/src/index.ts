export { catalog } from './catalog.js';
export type { BreakerOutcome, BreakerState } from './catalog.js';
export { instrumentCircuitBreaker, instrumentOpossum } from './instrument.js';
export type { CockatielCircuitBreaker, InstrumentCircuitBreakerOptions, OpossumBreaker } from './instrument.js';
