import type { Counter, Histogram, Meter, Tracer } from '@opentelemetry/api';
import { createInstruments, createLateBinding } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import type { TraceContextKeys } from './trace-context.js';
import type { EventStorePackOptions } from './types.js';

const SCOPE = '@otelkit/event-store';

/** The instruments and settings operations record with; replaced when the pack is (re)bound. */
export interface Binding {
  readonly tracer: Tracer;
  readonly duration: Histogram;
  readonly events: Counter;
  readonly batch: Histogram;
  readonly now: () => number;
  readonly wallClock: () => number;
  readonly keys: TraceContextKeys;
  readonly unbind: () => void;
}

const noop = (): void => undefined;

function bind(meter: Meter, tracer: Tracer, namespace: string, options: EventStorePackOptions): Binding {
  const i = createInstruments(meter, catalog, namespace);
  return {
    tracer,
    duration: i['eventstore.operation.duration'],
    events: i['eventstore.events'],
    batch: i['eventstore.batch.size'],
    now: options.now ?? performance.now.bind(performance),
    wallClock: options.wallClock ?? Date.now,
    keys: options.traceContextKeys ?? {},
    // Synchronous instruments only: nothing to remove from the meter.
    unbind: noop,
  };
}

// Without otelkit's start(), the API binds to the global providers and rebinds if the app registers one later.
const late = createLateBinding(SCOPE, bind);

/** The current binding: core's, or a lazy one on the global API providers. */
export const current: () => Binding = late.current;

/** Binds the API to core's meter and tracer (the pack's `setup`); returns the unbind function. */
export function bindEventStore(meter: Meter, tracer: Tracer, namespace = '', options: EventStorePackOptions = {}): () => void {
  return late.bindTo(meter, tracer, namespace, options);
}

/** Options for use without otelkit's `start()` (pack options take precedence). */
export function configureEventStore(options: EventStorePackOptions): void {
  late.configure(options);
}
