export { withSpan } from './with-span.js';
export type { WithSpanOptions } from './with-span.js';
export { startTimer, timed } from './timer.js';
export type { Timer } from './timer.js';
export { counter, gauge, histogram, upDownCounter } from './instruments.js';
export type { AppHistogramOptions, AppInstrumentOptions } from './instruments.js';
