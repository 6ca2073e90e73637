import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { ProjectionState } from './catalog.js';
import { current, entryFor, setState, stateAfterSuccess, type Binding, type ProjectionEntry } from './binding.js';
import { defaultMetadataOf, defaultPositionOf, defaultTimestampOf } from './defaults.js';
import { linksTo, producerContext } from './trace-links.js';
import type { Position, ProjectionOptions } from './types.js';

export { bindProjections, configureProjections } from './binding.js';

interface Batch {
  readonly relevant: number;
  readonly skipped: number;
  readonly last: unknown;
  readonly hasLast: boolean;
}

// User callbacks run on the handler's path: one that throws must not fail the projection, only lose a reading.
function safely<T, R>(fn: (arg: T) => R, arg: T, fallback: R): R {
  try {
    return fn(arg);
  } catch {
    return fallback;
  }
}

function batchOf(events: readonly unknown[], canHandle: ((event: never) => boolean) | undefined): Batch {
  if (canHandle === undefined) return { relevant: events.length, skipped: 0, last: events.at(-1), hasLast: events.length > 0 };
  let relevant = 0;
  let last: unknown;
  for (const event of events) {
    if (safely(canHandle as (e: unknown) => boolean, event, true)) {
      relevant++;
      last = event;
    }
  }
  return { relevant, skipped: events.length - relevant, last, hasLast: relevant > 0 };
}

function toMillis(value: Date | number): number {
  return value instanceof Date ? value.getTime() : value;
}

function finish(b: Binding, entry: ProjectionEntry, options: ProjectionOptions<never>, batch: Batch, start: number, span: Span | undefined, failed: boolean, error: unknown): void {
  const seconds = (b.now() - start) / 1000;
  if (batch.skipped > 0) b.events.add(batch.skipped, entry.outcomes.skipped);
  if (batch.relevant === 0 && !failed) {
    b.duration.record(seconds, entry.outcomes.skipped);
  } else if (failed) {
    b.duration.record(seconds, entry.outcomes.failed);
    if (batch.relevant > 0) b.events.add(batch.relevant, entry.outcomes.failed);
    setState(b, entry, 'failed');
  } else {
    b.duration.record(seconds, entry.outcomes.processed);
    b.events.add(batch.relevant, entry.outcomes.processed);
    if (batch.hasLast) {
      const last = batch.last as never;
      const position = safely(options.positionOf ?? defaultPositionOf, last, undefined);
      if (position !== undefined) entry.lastPosition = position;
      const at = safely(options.timestampOf ?? defaultTimestampOf, last, undefined);
      if (at !== undefined) b.lag.record(Math.max(0, (b.wallClock() - toMillis(at)) / 1000), entry.attributes);
    }
    setState(b, entry, stateAfterSuccess(entry));
  }
  if (span === undefined) return;
  if (failed) {
    span.setAttribute('projection.outcome', 'failed');
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

async function settle(b: Binding, entry: ProjectionEntry, options: ProjectionOptions<never>, batch: Batch, start: number, span: Span | undefined, pending: PromiseLike<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await pending;
  } catch (error) {
    finish(b, entry, options, batch, start, span, true, error);
    throw error;
  }
  finish(b, entry, options, batch, start, span, false, undefined);
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function run(entry: ProjectionEntry, options: ProjectionOptions<never>, handler: (...args: unknown[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
  const b = current();
  const input = args[0];
  const events: readonly unknown[] = Array.isArray(input) ? input : [input];
  const batch = batchOf(events, options.canHandle);
  const start = b.now();
  let span: Span | undefined;
  if (batch.relevant > 0) {
    const metadataOf = (options.metadataOf ?? defaultMetadataOf) as (e: unknown) => unknown;
    const key = options.traceContextKeys?.traceparent;
    const relevant = options.canHandle === undefined ? events : events.filter((e) => safely(options.canHandle as (e: unknown) => boolean, e, true));
    const producers = relevant.map((e) => producerContext(safely(metadataOf, e, undefined), key));
    span = b.tracer.startSpan(entry.spanName, {
      kind: SpanKind.CONSUMER,
      links: linksTo(producers),
      attributes: { 'projection.name': entry.name, 'projection.event.count': batch.relevant },
    });
  }
  let result: unknown;
  try {
    result = span === undefined ? handler.apply(thisArg, args) : context.with(trace.setSpan(context.active(), span), handler, thisArg, ...args);
  } catch (error) {
    finish(b, entry, options, batch, start, span, true, error);
    throw error;
  }
  if (isThenable(result)) return settle(b, entry, options, batch, start, span, result);
  finish(b, entry, options, batch, start, span, false, undefined);
  return result;
}

/**
 * Wraps a projection handler whose first argument is one event or an array of events. Each call records
 * `projection.duration` and `projection.events` by outcome (processed / skipped / failed), the lag in seconds from
 * the last event's timestamp, the position for `projection.lag.events`, and the status; it runs in a CONSUMER span
 * `projection <name>` linked to every span that appended one of the events.
 */
export function instrumentProjection<A extends [unknown, ...unknown[]], R>(name: string, handler: (...args: A) => R, options: ProjectionOptions<A[0] extends readonly (infer E)[] ? E : A[0]> = {}): (...args: A) => R {
  const entry = entryFor(name);
  if (options.headPosition !== undefined) entry.head = options.headPosition;
  if (options.checkpoint !== undefined) entry.storedCheckpoint = options.checkpoint;
  if (options.catchingUpAbove !== undefined) entry.catchingUpAbove = options.catchingUpAbove;
  current().status.set(entry.state, entry.attributes);
  const opts = options as ProjectionOptions<never>;
  return function instrumentedProjection(this: unknown, ...args: A): R {
    return run(entry, opts, handler as (...a: unknown[]) => unknown, this, args) as R;
  };
}

/** Counts a stored checkpoint of projection `name`; with `position`, lag in events is measured from it. */
export function recordCheckpoint(name: string, position?: Position): void {
  const entry = entryFor(name);
  if (position !== undefined) entry.checkpoint = position;
  current().checkpoints.add(1, entry.attributes);
}

/** Sets the status of projection `name`, e.g. `stopped` on shutdown or `stalled` from your own watchdog. */
export function setProjectionStatus(name: string, state: ProjectionState): void {
  setState(current(), entryFor(name), state);
}
