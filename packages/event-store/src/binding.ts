import { metrics, trace, type Counter, type Histogram, type Meter, type MeterProvider, type Tracer } from '@opentelemetry/api';
import { createInstruments } from '@otelkit/node';
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
  readonly lazyProvider: MeterProvider | undefined;
}

let configured: EventStorePackOptions = {};
let binding: Binding | undefined;

function bind(meter: Meter, tracer: Tracer, namespace: string, options: EventStorePackOptions, lazyProvider?: MeterProvider): Binding {
  const i = createInstruments(meter, catalog, namespace);
  return {
    tracer,
    duration: i['eventstore.operation.duration'],
    events: i['eventstore.events'],
    batch: i['eventstore.batch.size'],
    now: options.now ?? performance.now.bind(performance),
    wallClock: options.wallClock ?? Date.now,
    keys: options.traceContextKeys ?? {},
    lazyProvider,
  };
}

/** The current binding: core's, or a lazy one on the global API providers. */
export function current(): Binding {
  const b = binding;
  if (b !== undefined && (b.lazyProvider === undefined || b.lazyProvider === metrics.getMeterProvider())) return b;
  const provider = metrics.getMeterProvider();
  binding = bind(provider.getMeter(SCOPE), trace.getTracer(SCOPE), '', configured, provider);
  return binding;
}

/** Binds the API to core's meter and tracer (the pack's `setup`); returns the unbind function. */
export function bindEventStore(meter: Meter, tracer: Tracer, namespace = '', options: EventStorePackOptions = {}): () => void {
  const b = bind(meter, tracer, namespace, { ...configured, ...options });
  binding = b;
  return () => {
    if (binding === b) binding = undefined;
  };
}

/** Options for use without otelkit's `start()` (pack options take precedence). */
export function configureEventStore(options: EventStorePackOptions): void {
  configured = { ...options };
  if (binding?.lazyProvider !== undefined) binding = undefined;
}

