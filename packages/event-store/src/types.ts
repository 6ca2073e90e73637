import type { Attributes } from '@opentelemetry/api';
import type { TraceContextConvention, TraceContextKeys } from './trace-context.js';
import type { EventStoreOperation } from './catalog.js';

/** Options of {@link instrumentEventStore}. */
export interface InstrumentEventStoreOptions {
  /** `eventstore.system`, e.g. `emmett.inmemory`, `emmett.postgresql`, `kurrentdb`, `my-store`. */
  readonly system: string;
  /**
   * Method name → operation. Methods not listed pass through untouched.
   * @default { appendToStream: 'append', readStream: 'read', aggregateStream: 'aggregate', streamExists: 'exists' }
   */
  readonly operations?: Readonly<Record<string, EventStoreOperation>>;
  /**
   * Metadata conventions written on append.
   * @default ['w3c'] plus 'emmett' for `emmett.*` systems and 'kurrentdb' for `kurrentdb`
   */
  readonly conventions?: readonly TraceContextConvention[];
  /** Metadata keys for the W3C convention (pack option `traceContextKeys` sets the default). */
  readonly traceContextKeys?: TraceContextKeys;
  /**
   * Create spans. `'auto'` creates none for a method an OpenTelemetry instrumentation already wrapped (it leaves
   * the shimmer `__wrapped` marker), so each operation has one span; metrics are recorded either way.
   * @default 'auto'
   */
  readonly spans?: boolean | 'auto';
  /**
   * Metadata key for the append time (ISO 8601), which `@otelkit/projections` reads for lag in seconds; kept when
   * the app already set it. `false` writes none.
   * @default 'timestamp'
   */
  readonly timestampKey?: string | false;
  /** Extra attributes for every span of this store (not metrics). */
  readonly spanAttributes?: Attributes;
}

/** Options of the event-store pack: `start({ packOptions: { 'event-store': {...} } })` or `configureEventStore`. */
export interface EventStorePackOptions {
  /** Default W3C metadata keys. @default { traceparent: 'traceparent', tracestate: 'tracestate' } */
  readonly traceContextKeys?: TraceContextKeys;
  /** Monotonic clock in milliseconds for durations (tests inject one). @default performance.now */
  readonly now?: () => number;
  /** Wall clock in milliseconds since the epoch for append timestamps (tests inject one). @default Date.now */
  readonly wallClock?: () => number;
  /**
   * Patch `@kurrent/kurrentdb-client` automatically when the app loads it (every client is measured).
   * @default true
   */
  readonly kurrentdb?: boolean;
}
