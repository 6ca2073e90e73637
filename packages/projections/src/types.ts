import type { ProjectionState } from './catalog.js';

/** A stream or global position: Emmett uses bigint, KurrentDB bigint commit positions, others numbers. */
export type Position = bigint | number;

/** Options of {@link instrumentProjection}. Every function gets one event (an element of a batch). */
export interface ProjectionOptions<E = unknown> {
  /**
   * The event's position in the feed the projection follows (what it checkpoints).
   * @default event.metadata.globalPosition, else event.commitPosition (KurrentDB), else none
   */
  readonly positionOf?: (event: E) => Position | undefined;
  /**
   * When the event was recorded; `projection.lag` is now minus this, in seconds.
   * @default event.metadata.timestamp / created / createdAt, or event.created (KurrentDB), else none
   */
  readonly timestampOf?: (event: E) => Date | number | undefined;
  /** Where the producing span's trace context lives. @default event.metadata (or event.event.metadata) */
  readonly metadataOf?: (event: E) => unknown;
  /** Events this projection cares about; others are counted `skipped` (they still reach the handler). */
  readonly canHandle?: (event: E) => boolean;
  /**
   * The feed's head position, read at each metric collection: `projection.lag.events` is head minus the last
   * handled (or checkpointed) position. Without it, no lag in events is reported.
   */
  readonly headPosition?: () => Position | undefined | Promise<Position | undefined>;
  /**
   * The projection's stored checkpoint, read at each metric collection (instead of, or besides, calling
   * `recordCheckpoint`). `projection.lag.events` is measured from it when it returns a position.
   */
  readonly checkpoint?: () => Position | undefined | Promise<Position | undefined>;
  /**
   * Lag in events above which the status is `catching_up` rather than `running`.
   * @default 100
   */
  readonly catchingUpAbove?: number;
  /** W3C metadata keys, if the event store writes custom ones. @default { traceparent: 'traceparent' } */
  readonly traceContextKeys?: { readonly traceparent?: string };
}

/** Options of the projections pack: `start({ packOptions: { projections: {...} } })` or `configureProjections`. */
export interface ProjectionsPackOptions {
  /** Monotonic clock in milliseconds for durations (tests inject one). @default performance.now */
  readonly now?: () => number;
  /** Wall clock in milliseconds for lag in seconds (tests inject one). @default Date.now */
  readonly wallClock?: () => number;
  /**
   * Bound on each projection's `headPosition` and `checkpoint` queries at a metric collection, in milliseconds. The
   * projections are queried concurrently; one that has not answered by then is left out of that collection's
   * `projection.lag.events` and counted in `projection.lag.timeouts`, and is not queried again until its pending
   * query settles. Keep it below the collection's own bound (`OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS`, 5000).
   * @default 2000
   */
  readonly lagQueryTimeoutMillis?: number;
}

export type { ProjectionState };
