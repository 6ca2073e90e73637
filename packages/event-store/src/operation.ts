import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { EventStoreOperation } from './catalog.js';
import { current, type Binding } from './binding.js';
import { errorTypeOf, isStreamNotFound, outcomeOfError } from './errors.js';
import { traceMetadata, type TraceContextConvention } from './trace-context.js';
import type { InstrumentEventStoreOptions } from './types.js';

export const DEFAULT_OPERATIONS: Readonly<Record<string, EventStoreOperation>> = Object.freeze({
  appendToStream: 'append',
  readStream: 'read',
  aggregateStream: 'aggregate',
  streamExists: 'exists',
});


/** Distinct (outcome, error type) attribute sets kept per (system, operation); further ones are `_OTHER`. */
export const MAX_ERROR_TYPES = 100;
const OTHER_ERROR_TYPE = '_OTHER';

/** Attribute objects of one (system, operation), built once and frozen. */
export class OperationAttributes {
  readonly success: Attributes;
  readonly counted: Attributes;
  readonly spanName: string;
  private readonly failures = new Map<string, Attributes>();

  constructor(readonly system: string, readonly operation: EventStoreOperation) {
    this.success = Object.freeze({ 'eventstore.system': system, 'eventstore.operation': operation, 'eventstore.outcome': 'success' });
    this.counted = Object.freeze({ 'eventstore.system': system, 'eventstore.operation': operation });
    this.spanName = `eventstore ${operation}`;
  }

  failure(outcome: string, errorType: string): Attributes {
    const key = `${outcome}\u0000${errorType}`;
    let attrs = this.failures.get(key);
    if (attrs === undefined) {
      // Error class names come from the app and its drivers: past the cap they share error.type=_OTHER.
      if (this.failures.size >= MAX_ERROR_TYPES && errorType !== OTHER_ERROR_TYPE) return this.failure(outcome, OTHER_ERROR_TYPE);
      attrs = Object.freeze({ ...this.counted, 'eventstore.outcome': outcome, 'error.type': errorType });
      this.failures.set(key, attrs);
    }
    return attrs;
  }
}

/** An OpenTelemetry instrumentation (shimmer) already wraps this method and makes its own span. */
function isWrappedUpstream(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { __wrapped?: unknown }).__wrapped === true;
}

function defaultConventions(system: string): readonly TraceContextConvention[] {
  if (system.startsWith('emmett')) return ['w3c', 'emmett'];
  if (system.startsWith('kurrentdb') || system.startsWith('eventstoredb')) return ['w3c', 'kurrentdb'];
  return ['w3c'];
}

/** Per instrumented store (or patched class): its options and attribute objects. */
export interface StoreState {
  readonly options: InstrumentEventStoreOptions;
  readonly conventions: readonly TraceContextConvention[];
  readonly attrs: ReadonlyMap<EventStoreOperation, OperationAttributes>;
}

/** Guards against recording one operation twice (a stream can end and also be returned early). */
interface Once {
  done: boolean;
}

function finish(b: Binding, a: OperationAttributes, start: number, span: Span | undefined, error: unknown, failed: boolean, count: number | undefined, state: Once): void {
  if (state.done) return;
  state.done = true;
  const seconds = (b.now() - start) / 1000;
  if (failed && a.operation === 'read' && isStreamNotFound(error)) {
    failed = false;
    count = 0;
  }
  if (!failed) {
    b.duration.record(seconds, a.success);
    if (count !== undefined && (a.operation === 'append' || a.operation === 'read')) {
      if (count > 0) b.events.add(count, a.counted);
      b.batch.record(count, a.counted);
    }
  } else {
    b.duration.record(seconds, a.failure(outcomeOfError(error), errorTypeOf(error)));
  }
  if (span === undefined) return;
  if (count !== undefined) span.setAttribute('eventstore.event.count', count);
  if (failed) {
    const outcome = outcomeOfError(error);
    span.setAttribute('eventstore.outcome', outcome);
    span.setAttribute('error.type', errorTypeOf(error));
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

// Merges otelkit's entries into each event's metadata on a copy (the caller's objects stay as they were): trace
// keys override (this append is their producer), the append time is only added where the app set none.
function withMetadata(events: unknown, trace: Record<string, string>, timestamp: readonly [string, string] | undefined): unknown {
  const add = (event: unknown): unknown => {
    if (typeof event !== 'object' || event === null) return event;
    const existing = (event as { metadata?: unknown }).metadata;
    // Binary metadata is the app's own encoding; leave it alone.
    if (existing instanceof Uint8Array) return event;
    const base = typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : {};
    const time = timestamp === undefined || base[timestamp[0]] !== undefined ? undefined : { [timestamp[0]]: timestamp[1] };
    return { ...event, metadata: { ...base, ...trace, ...time } };
  };
  return Array.isArray(events) ? events.map(add) : add(events);
}

function countOf(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) {
    const events = (value as { events?: unknown }).events;
    if (Array.isArray(events)) return events.length;
  }
  return undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

async function settle(b: Binding, a: OperationAttributes, start: number, span: Span | undefined, pending: PromiseLike<unknown>, appended: number | undefined): Promise<unknown> {
  const state: Once = { done: false };
  let value: unknown;
  try {
    value = await pending;
  } catch (error) {
    finish(b, a, start, span, error, true, appended, state);
    throw error;
  }
  finish(b, a, start, span, undefined, false, appended ?? (a.operation === 'read' ? countOf(value) : undefined), state);
  return value;
}

// KurrentDB's readStream returns a stream that is also an async iterable: count events as the app iterates, and
// end on completion, error or early return, without changing the object the app got.
function trackIteration(b: Binding, a: OperationAttributes, start: number, span: Span | undefined, iterable: AsyncIterable<unknown>): void {
  const state: Once = { done: false };
  let count = 0;
  const original = iterable[Symbol.asyncIterator].bind(iterable);
  Object.defineProperty(iterable, Symbol.asyncIterator, {
    configurable: true,
    value: (): AsyncIterator<unknown> => {
      const it = original();
      return {
        next: async (...args: [] | [unknown]) => {
          try {
            const r = await it.next(...args);
            if (r.done === true) finish(b, a, start, span, undefined, false, count, state);
            else count++;
            return r;
          } catch (error) {
            finish(b, a, start, span, error, true, undefined, state);
            throw error;
          }
        },
        return: async (value?: unknown) => {
          finish(b, a, start, span, undefined, false, count, state);
          return it.return ? it.return(value) : { done: true, value };
        },
      };
    },
  });
  const emitter = iterable as { once?: (event: string, fn: (e?: unknown) => void) => unknown };
  if (typeof emitter.once === 'function') {
    emitter.once('error', (error) => finish(b, a, start, span, error, true, undefined, state));
    emitter.once('end', () => finish(b, a, start, span, undefined, false, count, state));
  }
}

/** Runs one store operation with metrics, span and trace-context injection; the adapters' entry point. */
export function runOperation(s: StoreState, a: OperationAttributes, method: (...args: unknown[]) => unknown, target: object, args: unknown[]): unknown {
  const b = current();
  const start = b.now();
  const spans = s.options.spans ?? 'auto';
  let span: Span | undefined;
  const upstream = isWrappedUpstream(method);
  if (spans === true || (spans === 'auto' && !upstream)) {
    span = b.tracer.startSpan(a.spanName, {
      kind: SpanKind.CLIENT,
      attributes: { ...s.options.spanAttributes, ...a.counted, 'eventstore.stream.name': String(args[0]) },
    });
  }
  let appended: number | undefined;
  if (a.operation === 'append') {
    appended = Array.isArray(args[1]) ? args[1].length : args[1] === undefined ? 0 : 1;
    // The producing span: ours, or the upstream instrumentation's / the caller's when we make none.
    const producer = span?.spanContext() ?? trace.getActiveSpan()?.spanContext();
    let traceEntries: Record<string, string> = {};
    if (producer !== undefined && trace.isSpanContextValid(producer)) {
      // An upstream KurrentDB instrumentation writes its own span into `$traceId`/`$spanId`; leave those to it.
      const conventions = upstream ? s.conventions.filter((c) => c !== 'kurrentdb') : s.conventions;
      traceEntries = traceMetadata(producer, conventions, s.options.traceContextKeys ?? b.keys);
    }
    // When the event was appended, for projection lag in seconds (Emmett's stores record no time in metadata).
    const timestampKey = s.options.timestampKey ?? 'timestamp';
    const timestamp = timestampKey === false ? undefined : ([timestampKey, new Date(b.wallClock()).toISOString()] as const);
    if (timestamp !== undefined || Object.keys(traceEntries).length > 0) {
      args = [args[0], withMetadata(args[1], traceEntries, timestamp), ...args.slice(2)];
    }
  }
  let result: unknown;
  try {
    result = span === undefined ? method.apply(target, args) : context.with(trace.setSpan(context.active(), span), method, target, ...args);
  } catch (error) {
    finish(b, a, start, span, error, true, appended, { done: false });
    throw error;
  }
  if (isThenable(result)) return settle(b, a, start, span, result, appended);
  if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
    trackIteration(b, a, start, span, result as AsyncIterable<unknown>);
    return result;
  }
  finish(b, a, start, span, undefined, false, appended ?? countOf(result), { done: false });
  return result;
}

/** The state for a store or class instrumented with `options`. */
export function storeState(options: InstrumentEventStoreOptions): StoreState {
  const operations = options.operations ?? DEFAULT_OPERATIONS;
  const attrs = new Map<EventStoreOperation, OperationAttributes>();
  for (const op of Object.values(operations)) if (!attrs.has(op)) attrs.set(op, new OperationAttributes(options.system, op));
  return { options, conventions: options.conventions ?? defaultConventions(options.system), attrs };
}
