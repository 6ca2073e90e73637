// The explicit API: for code no automatic adapter covers.
export { instrumentCircuitBreaker } from './adapters/cockatiel.js';
export type { CockatielCircuitBreaker, InstrumentCircuitBreakerOptions } from './adapters/cockatiel.js';
export { instrumentOpossum } from './adapters/opossum.js';
export type { OpossumBreaker } from './adapters/opossum.js';
