import { context, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type DataPoint, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { PackContext } from '../pack.js';
import { serializePrometheus, type SerializeOptions } from '../prometheus/serialize.js';
import { CumulativeReader } from './cumulative-reader.js';
import { recordingLogger } from './recording-logger.js';

/** Options of `createTelemetry`; all optional. */
export interface TelemetryOptions {
  /**
   * Instrumentation scope of `meter` and `tracer`; use the pack's own (`@otelkit/<pack>`) when the scope shows up in
   * what the test compares.
   * @default 'test'
   */
  readonly scope?: string;
  /**
   * Resource attributes. Fixed by default so exposition text (and its `target_info`) is the same on every machine.
   * @default { 'service.name': 'golden', 'service.instance.id': 'i1' }
   */
  readonly resource?: Attributes;
}

/** A real SDK meter and tracer with in-memory reader/exporter, for asserting on what would be exported. */
export interface Telemetry {
  readonly meter: Meter;
  readonly tracer: Tracer;
  /** The provider behind `meter`, e.g. to register globally or hand to an upstream instrumentation. */
  readonly meterProvider: MeterProvider;
  /** The provider behind `tracer`. */
  readonly tracerProvider: TracerProvider;
  /** Data points of metric `name` after a collection. */
  points(name: string): Promise<DataPoint<number | Histogram>[]>;
  /** The one data point of `name` whose attributes equal `attributes` exactly. */
  point(name: string, attributes: Attributes): Promise<DataPoint<number | Histogram> | undefined>;
  /** The value (number, or histogram) of `point(name, attributes)`. */
  value(name: string, attributes: Attributes): Promise<number | Histogram | undefined>;
  /** Finished spans, after flushing (the 3.x SimpleSpanProcessor exports asynchronously). */
  spans(): Promise<ReadableSpan[]>;
  /** One cumulative collection. */
  collect(): Promise<ResourceMetrics>;
  /** One collection as Prometheus exposition text, as otelkit's endpoint would serve it. */
  exposition(options?: SerializeOptions): Promise<string>;
  /** A pack context around `meter` and `tracer`, as core passes it to `setup`. */
  ctx(options?: Readonly<Record<string, unknown>>): PackContext;
  /** Lines the pack logged through `ctx().logger`. */
  readonly logs: string[];
  shutdown(): Promise<void>;
}

const DEFAULT_RESOURCE: Attributes = { 'service.name': 'golden', 'service.instance.id': 'i1' };

// One per process: span parenting across awaits needs a context manager, and the API accepts only the first one.
let contextManager: AsyncLocalStorageContextManager | undefined;

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * A real SDK meter and tracer with an in-memory cumulative reader and span exporter, for pack tests: set the pack up
 * with `ctx()`, drive it, then assert on `point(...)`, `spans()` or `exposition()`.
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const scope = options.scope ?? 'test';
  const reader = new CumulativeReader();
  const meterProvider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes(options.resource ?? DEFAULT_RESOURCE) });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const meter = meterProvider.getMeter(scope);
  const tracer = tracerProvider.getTracer(scope);
  const logs: string[] = [];
  const logger = recordingLogger(logs);
  const collect = async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics;
  const points = async (name: string): Promise<DataPoint<number | Histogram>[]> => {
    const out: DataPoint<number | Histogram>[] = [];
    for (const sm of (await collect()).scopeMetrics) {
      for (const m of sm.metrics) if (m.descriptor.name === name) out.push(...(m.dataPoints as DataPoint<number | Histogram>[]));
    }
    return out;
  };
  const point = async (name: string, attributes: Attributes): Promise<DataPoint<number | Histogram> | undefined> =>
    (await points(name)).find((p) => sameAttributes(p.attributes, attributes));
  return {
    meter,
    tracer,
    meterProvider,
    tracerProvider,
    logs,
    collect,
    exposition: async (serializeOptions = {}) => serializePrometheus(await collect(), serializeOptions),
    ctx: (packOptions = {}) => ({ meter, tracer, namespace: '', options: packOptions, logger }),
    points,
    point,
    value: async (name, attributes) => (await point(name, attributes))?.value,
    spans: async () => {
      await tracerProvider.forceFlush();
      return exporter.getFinishedSpans();
    },
    shutdown: async () => {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}
