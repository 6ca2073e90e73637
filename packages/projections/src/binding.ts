import {
  type Attributes,
  type Counter,
  type Gauge,
  type Histogram,
  type Meter,
  type ObservableGauge,
  type ObservableResult,
  type Tracer,
} from '@opentelemetry/api';
import { createInstruments, createLateBinding, type StateSet } from '@otelkit/node/kit';
import { catalog, type ProjectionOutcome, type ProjectionState } from './catalog.js';
import type { Position, ProjectionsPackOptions } from './types.js';

const SCOPE = '@otelkit/projections';
const [durationDef, eventsDef, lagDef, lagEventsDef, checkpointsDef, statusDef, lagTimeoutsDef] = catalog;

/** Default of {@link ProjectionsPackOptions.lagQueryTimeoutMillis}. */
export const LAG_QUERY_TIMEOUT_MS = 2000;

/** A usable lagQueryTimeoutMillis (a whole number of milliseconds a timer can wait), else undefined. */
export function validLagQueryTimeout(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2_147_483_647 ? value : undefined;
}

interface Positions {
  readonly head: Position | undefined;
  readonly stored: Position | undefined;
}

// What a lag query came to: positions, a failure (undefined), or no answer within the timeout.
const LATE = Symbol('late');

/** One projection by name: its frozen attribute objects, positions and current status. */
export class ProjectionEntry {
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
  /** The head/checkpoint query in flight: a hung one is awaited by later collections, never started twice. */
  query: Promise<Positions | undefined> | undefined;

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

/** The instruments and clocks projections record with; replaced when the pack is (re)bound. */
export interface Binding {
  readonly tracer: Tracer;
  readonly duration: Histogram;
  readonly events: Counter;
  readonly lag: Gauge;
  readonly checkpoints: Counter;
  readonly lagTimeouts: Counter;
  readonly status: StateSet;
  readonly now: () => number;
  readonly wallClock: () => number;
  readonly unbind: () => void;
}

// Entries outlive bindings: positions and statuses carry over when the pack is rebound.
const entries = new Map<string, ProjectionEntry>();

/** The entry of projection `name`, created on first use. */
export function entryFor(name: string): ProjectionEntry {
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

// A failing head or checkpoint query must not break collection of every other metric: it is a missing reading.
function queryPositions(entry: ProjectionEntry, head: () => Position | undefined | Promise<Position | undefined>): Promise<Positions | undefined> {
  if (entry.query !== undefined) return entry.query;
  let query: Promise<Positions | undefined>;
  try {
    query = Promise.all([head(), entry.storedCheckpoint?.()]).then(
      ([h, stored]) => ({ head: h, stored }),
      () => undefined,
    );
  } catch {
    return Promise.resolve(undefined);
  }
  entry.query = query;
  void query.then(() => {
    if (entry.query === query) entry.query = undefined;
  });
  return query;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(resolve, ms, LATE);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function prefixed(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}.${name}`;
}

/** Sets the status, recording the state set only on a change. */
export function setState(b: Binding, entry: ProjectionEntry, state: ProjectionState): void {
  if (entry.state === state) return;
  entry.state = state;
  b.status.set(state, entry.attributes);
}

/** `catching_up` while lag in events is above the threshold, else `running`. */
export function stateAfterSuccess(entry: ProjectionEntry): ProjectionState {
  return entry.lagEvents !== undefined && entry.lagEvents > entry.catchingUpAbove ? 'catching_up' : 'running';
}

function bind(meter: Meter, tracer: Tracer, namespace: string, options: ProjectionsPackOptions): Binding {
  const i = createInstruments(meter, [durationDef, eventsDef, lagDef, checkpointsDef, statusDef, lagTimeoutsDef], namespace);
  const timeoutMillis = validLagQueryTimeout(options.lagQueryTimeoutMillis) ?? LAG_QUERY_TIMEOUT_MS;
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
    lagTimeouts: i['projection.lag.timeouts'],
    status: i['projection.status'],
    now: options.now ?? performance.now.bind(performance),
    wallClock: options.wallClock ?? Date.now,
    unbind: () => lagEvents.removeCallback(observeLag),
  };
  async function observeOne(entry: ProjectionEntry, head: () => Position | undefined | Promise<Position | undefined>, result: ObservableResult): Promise<void> {
    const read = await withTimeout(queryPositions(entry, head), timeoutMillis);
    if (read === LATE) {
      b.lagTimeouts.add(1, entry.attributes);
      return;
    }
    if (read === undefined) return;
    if (read.stored !== undefined) entry.checkpoint = read.stored;
    const position = entry.position();
    if (read.head === undefined) return;
    entry.lagEvents = position === undefined ? difference(read.head, 0) : difference(read.head, position);
    result.observe(entry.lagEvents, entry.attributes);
    if (entry.state === 'running' || entry.state === 'catching_up') setState(b, entry, stateAfterSuccess(entry));
  }
  // Every projection is queried at once, each bounded: one slow database call never holds the others or the scrape.
  async function observeLag(result: ObservableResult): Promise<void> {
    const reads: Promise<void>[] = [];
    for (const entry of entries.values()) if (entry.head !== undefined) reads.push(observeOne(entry, entry.head, result));
    await Promise.all(reads);
  }
  lagEvents.addCallback(observeLag);
  // Gauges live in the meter: re-emit every known status into the new one.
  for (const entry of entries.values()) b.status.set(entry.state, entry.attributes);
  return b;
}

// Without otelkit's start(), the API binds to the global providers and rebinds if the app registers one later.
const late = createLateBinding(SCOPE, bind);

/** The current binding: core's, or a lazy one on the global API providers. */
export const current: () => Binding = late.current;

/** Binds the API to core's meter and tracer (the pack's `setup`); returns the unbind function. */
export function bindProjections(meter: Meter, tracer: Tracer, namespace = '', options: ProjectionsPackOptions = {}): () => void {
  return late.bindTo(meter, tracer, namespace, options);
}

/** Options for use without otelkit's `start()` (pack options take precedence). */
export function configureProjections(options: ProjectionsPackOptions): void {
  late.configure(options);
}
