import { context, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Logger, PackContext } from '@otelkit/node';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Telemetry {
  readonly meter: Meter;
  readonly tracer: Tracer;
  /** Data points of metric `name` after a collection. */
  points(name: string): Promise<DataPoint<number | Histogram>[]>;
  /** The one data point of `name` whose attributes equal `attributes`. */
  point(name: string, attributes: Attributes): Promise<DataPoint<number | Histogram> | undefined>;
  /** Finished spans, after flushing (the 3.x SimpleSpanProcessor exports asynchronously). */
  spans(): Promise<ReadableSpan[]>;
  /** One collection, for the Prometheus serializer. */
  collect(): Promise<ResourceMetrics>;
  /** A pack context around the test meter and tracer, as core passes it to `setup`. */
  ctx(options?: Record<string, unknown>): PackContext;
  /** Lines the pack logged through `ctx.logger`. */
  readonly logs: string[];
  shutdown(): Promise<void>;
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** A real SDK meter and tracer with in-memory reader/exporter, for asserting on what would be exported. */
export function createTelemetry(scope = 'test'): Telemetry {
  if (contextManager === undefined) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const reader = new TestReader();
  const meterProvider = new MeterProvider({
    readers: [reader],
    resource: resourceFromAttributes({ 'service.name': 'golden', 'service.instance.id': 'i1' }),
  });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const points = async (name: string): Promise<DataPoint<number | Histogram>[]> => {
    const { resourceMetrics } = await reader.collect();
    const out: DataPoint<number | Histogram>[] = [];
    for (const sm of resourceMetrics.scopeMetrics) {
      for (const m of sm.metrics) if (m.descriptor.name === name) out.push(...(m.dataPoints as DataPoint<number | Histogram>[]));
    }
    return out;
  };
  const same = (a: Attributes, b: Attributes): boolean => {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
  };
  const meter = meterProvider.getMeter(scope);
  const tracer = tracerProvider.getTracer(scope);
  const logs: string[] = [];
  const logger: Logger = {
    error: (m) => logs.push(m),
    warn: (m) => logs.push(m),
    info: (m) => logs.push(m),
    debug: (m) => logs.push(m),
  };
  return {
    meter,
    tracer,
    logs,
    collect: async () => (await reader.collect()).resourceMetrics,
    ctx: (options = {}) => ({ meter, tracer, namespace: '', options, logger }),
    points,
    point: async (name, attributes) => (await points(name)).find((p) => same(p.attributes, attributes)),
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
