import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Counter,
  type Histogram,
  type Meter,
  type ObservableUpDownCounter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { createInstruments, createLateBinding } from '@otelkit/node/kit';
import { catalog, type CommandOutcome } from './catalog.js';
import { classifyCommandError, errorTypeOf } from './classify.js';
import { entryFor, observeActive, OVERFLOW_ENTRY, type CommandEntry } from './entries.js';
import type { CommandCallOptions, CommandClassifier, CommandsOptions } from './types.js';

const SCOPE = '@otelkit/commands';
const [durationDef, activeDef, retriesDef, overflowsDef] = catalog;

const NO_ATTRIBUTES = Object.freeze({});

interface Binding {
  readonly tracer: Tracer;
  readonly duration: Histogram;
  readonly retries: Counter;
  readonly overflows: Counter;
  readonly spans: boolean;
  readonly classify: CommandClassifier | undefined;
  readonly now: () => number;
  readonly unbind: () => void;
}

function prefixed(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}.${name}`;
}

function bind(meter: Meter, tracer: Tracer, namespace: string, options: CommandsOptions): Binding {
  const { 'command.duration': duration, 'command.retries': retries, 'command.overflows': overflows } = createInstruments(meter, [durationDef, retriesDef, overflowsDef], namespace);
  // In-flight counts are kept in a plain number per type and observed at collection time: two SDK calls fewer per
  // command than a synchronous up-down counter, with the same exported series.
  const active: ObservableUpDownCounter = meter.createObservableUpDownCounter(prefixed(namespace, activeDef.name), {
    description: activeDef.description,
    unit: activeDef.unit,
  });
  active.addCallback(observeActive);
  return {
    tracer,
    duration,
    retries,
    overflows,
    spans: options.spans ?? true,
    classify: options.classify,
    now: options.now ?? performance.now.bind(performance),
    unbind: () => active.removeCallback(observeActive),
  };
}

// Without otelkit's start(), the API binds to the global providers and rebinds if the app registers one later.
const late = createLateBinding(SCOPE, bind);
const current = late.current;

/**
 * Binds the explicit API to a meter and tracer (the pack's `setup` does this with core's). Returns the function
 * that unbinds; afterwards the API falls back to the global `@opentelemetry/api` providers.
 */
export function bindCommands(meter: Meter, tracer: Tracer, namespace = '', options: CommandsOptions = {}): () => void {
  return late.bindTo(meter, tracer, namespace, options);
}

/** Sets options for the explicit API when otelkit's `start()` is not used (pack options take precedence). */
export function configureCommands(options: CommandsOptions): void {
  late.configure(options);
}

function classify(error: unknown, type: string, b: Binding, call: CommandCallOptions | undefined): CommandOutcome {
  try {
    return call?.classify?.(error, type) ?? b.classify?.(error, type) ?? classifyCommandError(error);
  } catch {
    // A throwing user classifier must not replace the app's own error: fall back to the default rule.
    return classifyCommandError(error);
  }
}

function finish(b: Binding, entry: CommandEntry, start: number, span: Span | undefined, failed: boolean, error: unknown, call: CommandCallOptions | undefined): void {
  entry.active--;
  const seconds = (b.now() - start) / 1000;
  if (!failed) {
    b.duration.record(seconds, entry.success);
    span?.end();
    return;
  }
  const outcome = classify(error, entry.type, b, call);
  const errorType = errorTypeOf(error);
  b.duration.record(seconds, entry.outcome(outcome, errorType));
  if (span !== undefined) {
    span.setAttribute('command.outcome', outcome);
    span.setAttribute('error.type', errorType);
    if (error instanceof Error) span.recordException(error);
    // A rejected command is a normal domain answer; only conflicts and failures mark the span as an error.
    if (outcome !== 'rejected') span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  }
}

async function settle<T>(b: Binding, entry: CommandEntry, start: number, span: Span | undefined, pending: PromiseLike<T>, call: CommandCallOptions | undefined): Promise<T> {
  let value: T;
  try {
    value = await pending;
  } catch (error) {
    finish(b, entry, start, span, true, error, call);
    throw error;
  }
  finish(b, entry, start, span, false, undefined, call);
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` as command `type` with `thisArg` and `args`: the adapters' entry point, kept free of per-call closures.
 * A synchronous throw is recorded and rethrown synchronously, unchanged.
 */
export function runCommand<R>(
  type: string,
  fn: (...args: any[]) => R, // eslint-disable-line @typescript-eslint/no-explicit-any -- any handler signature
  thisArg: unknown,
  args: ArrayLike<unknown> | undefined,
  call?: CommandCallOptions,
): R {
  const b = current();
  const entry = entryFor(type);
  const overflowed = entry === OVERFLOW_ENTRY;
  if (overflowed) b.overflows.add(1, NO_ATTRIBUTES);
  entry.active++;
  const start = b.now();
  let span: Span | undefined;
  let result: unknown;
  try {
    if (b.spans) {
      // Spans may carry the real type of a command counted under _OTHER: a span is one event, not a series.
      span = overflowed
        ? b.tracer.startSpan(`command ${type}`, { kind: SpanKind.INTERNAL, attributes: { 'command.type': type } })
        : b.tracer.startSpan(entry.spanName, entry.spanOptions);
      if (call?.attributes !== undefined) span.setAttributes(call.attributes);
      const ctx = trace.setSpan(context.active(), span);
      result = args === undefined ? context.with(ctx, fn, thisArg) : context.with(ctx, fn, thisArg, ...(args as unknown[]));
    } else {
      result = args === undefined ? fn.call(thisArg) : fn.apply(thisArg, args as unknown[]);
    }
  } catch (error) {
    finish(b, entry, start, span, true, error, call);
    throw error;
  }
  if (isThenable(result)) return settle(b, entry, start, span, result, call) as R;
  finish(b, entry, start, span, false, undefined, call);
  return result as R;
}

/**
 * Handles one command of type `type` by calling `fn`: records `command.duration` by outcome and `command.active`,
 * inside a `command <type>` span. Returns what `fn` returns; errors are rethrown unchanged.
 */
export function withCommand<T>(type: string, fn: () => T, options?: CommandCallOptions): T {
  return runCommand(type, fn, undefined, undefined, options);
}

/** Wraps a command handler so that every call is recorded as command `type` (see {@link withCommand}). */
export function instrumentCommand<A extends unknown[], R>(type: string, handler: (...args: A) => R, options?: CommandCallOptions): (...args: A) => R {
  return function instrumentedCommand(this: unknown, ...args: A): R {
    return runCommand(type, handler, this, args, options);
  };
}

/** Counts one retry of command `type` (`command.retries`), e.g. after an optimistic-concurrency conflict. */
export function recordRetry(type: string, reason: 'conflict' | 'transient' = 'conflict'): void {
  const b = current();
  const entry = entryFor(type);
  if (entry === OVERFLOW_ENTRY) b.overflows.add(1, NO_ATTRIBUTES);
  b.retries.add(1, entry.retry(reason));
}
