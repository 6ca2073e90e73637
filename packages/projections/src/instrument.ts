import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Gauge,
  type Histogram,
  type Meter,
  type MeterProvider,
  type ObservableGauge,
  type ObservableResult,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { createInstruments, type StateSet } from '@otelkit/node';
import { catalog, type ProjectionOutcome, type ProjectionState } from './catalog.js';
import { defaultMetadataOf, defaultPositionOf, defaultTimestampOf } from './defaults.js';
import { linksTo, producerContext } from './trace-links.js';
import type { Position, ProjectionOptions, ProjectionsPackOptions } from './types.js';

const SCOPE = '@otelkit/projections';
const [durationDef, eventsDef, lagDef, lagEventsDef, checkpointsDef, statusDef] = catalog;

/** One projection by name: its frozen attribute objects, positions and current status. */
class ProjectionEntry {
  readonly attributes: Attributes;
  readonly outcomes: Readonly<Record<ProjectionOutcome, Attributes>>;
  readonly spanName: string;
  lastPosition: Position | undefined;
  checkpoint: Position | undefined;
  head: (() => Position | undefined | Promise<Position | undefined>) | undefined;
  storedCheckpoint: (() => Position | undefined | Promise<Position | undefined>) | undefined;
  catchingUpAbove = 100;
  lagEvents: number | undefined;
  state: ProjectionState = 'starting';

  constructor(readonly name: string) {
    this.attributes = Object.freeze({ 'projection.name': name });
    const outcome = (o: ProjectionOutcome): Attributes => Object.freeze({ 'projection.name': name, 'projection.outcome': o });
    this.outcomes = Object.freeze({ processed: outcome('processed'), skipped: outcome('skipped'), failed: outcome('failed') });
    this.spanName = `projection ${name}`;
  }

  /** The position lag is measured from: the stored checkpoint when the app reports one, else the last handled. */
  position(): Position | undefined {
    return this.checkpoint ?? this.lastPosition;
  }
}

interface Binding {
  readonly tracer: Tracer;
  readonly duration: Histogram;
  readonly events: Counter;
  readonly lag: Gauge;
  readonly checkpoints: Counter;
  readonly status: StateSet;
  readonly now: () => number;
  readonly wallClock: () => number;
  readonly lazyProvider: MeterProvider | undefined;
  readonly unbind: () => void;
}

const entries = new Map<string, ProjectionEntry>();
let configured: ProjectionsPackOptions = {};
let binding: Binding | undefined;

function entryFor(name: string): ProjectionEntry {
  let entry = entries.get(name);
  if (entry === undefined) {
    entry = new ProjectionEntry(name);
    entries.set(name, entry);
  }
  return entry;
}

function difference(head: Position, position: Position): number {
  const d = typeof head === 'bigint' || typeof position === 'bigint' ? Number(BigInt(head) - BigInt(position)) : head - position;
  return d > 0 ? d : 0;
}

function prefixed(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}.${name}`;
}

function setState(b: Binding, entry: ProjectionEntry, state: ProjectionState): void {
  if (entry.state === state) return;
  entry.state = state;
  b.status.set(state, entry.attributes);
}

function stateAfterSuccess(entry: ProjectionEntry): ProjectionState {
  return entry.lagEvents !== undefined && entry.lagEvents > entry.catchingUpAbove ? 'catching_up' : 'running';
}

function bind(meter: Meter, tracer: Tracer, namespace: string, options: ProjectionsPackOptions, lazyProvider?: MeterProvider): Binding {
  const i = createInstruments(meter, [durationDef, eventsDef, lagDef, checkpointsDef, statusDef], namespace);
  // Lag in events is observed at collection time, so it keeps growing while a stalled projection handles nothing.
  const lagEvents: ObservableGauge = meter.createObservableGauge(prefixed(namespace, lagEventsDef.name), {
    description: lagEventsDef.description,
    unit: lagEventsDef.unit,
  });
  const b: Binding = {
    tracer,
    duration: i['projection.duration'],
    events: i['projection.events'],
    lag: i['projection.lag'],
    checkpoints: i['projection.checkpoints'],
    status: i['projection.status'],
    now: options.now ?? performance.now.bind(performance),
    wallClock: options.wallClock ?? Date.now,
    lazyProvider,
    unbind: () => lagEvents.removeCallback(observeLag),
  };
  async function observeLag(result: ObservableResult): Promise<void> {
    for (const entry of entries.values()) {
      if (entry.head === undefined) continue;
      let head: Position | undefined;
      let stored: Position | undefined;
      try {
        head = await entry.head();
        stored = await entry.storedCheckpoint?.();
      } catch {
        continue; // A failing head or checkpoint query must not break collection of every other metric.
      }
      if (stored !== undefined) entry.checkpoint = stored;
      const position = entry.position();
      if (head === undefined) continue;
      entry.lagEvents = position === undefined ? difference(head, 0) : difference(head, position);
      result.observe(entry.lagEvents, entry.attributes);
      if (entry.state === 'running' || entry.state === 'catching_up') setState(b, entry, stateAfterSuccess(entry));
    }
  }
  lagEvents.addCallback(observeLag);
  // Gauges live in the meter: re-emit every known status into the new one.
  for (const entry of entries.values()) b.status.set(entry.state, entry.attributes);
  return b;
}

function current(): Binding {
  const b = binding;
  if (b !== undefined && (b.lazyProvider === undefined || b.lazyProvider === metrics.getMeterProvider())) return b;
  b?.unbind();
  const provider = metrics.getMeterProvider();
  binding = bind(provider.getMeter(SCOPE), trace.getTracer(SCOPE), '', configured, provider);
  return binding;
}

/** Binds the API to core's meter and tracer (the pack's `setup`); returns the unbind function. */
export function bindProjections(meter: Meter, tracer: Tracer, namespace = '', options: ProjectionsPackOptions = {}): () => void {
  binding?.unbind();
  const b = bind(meter, tracer, namespace, { ...configured, ...options });
  binding = b;
  return () => {
    b.unbind();
    if (binding === b) binding = undefined;
  };
}

/** Options for use without otelkit's `start()` (pack options take precedence). */
export function configureProjections(options: ProjectionsPackOptions): void {
  configured = { ...options };
  if (binding?.lazyProvider !== undefined) {
    binding.unbind();
    binding = undefined;
  }
}

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
