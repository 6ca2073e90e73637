import type { Attributes, Meter } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Logger, PackContext } from '@otelkit/node';

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
  /** A pack context around the test meter, as core would pass it to `setup`. */
  readonly ctx: PackContext;
  readonly logs: string[];
  collect(): Promise<ResourceMetrics>;
  /** The value (number, or histogram) of the one point of `name` with exactly `attributes`. */
  value(name: string, attributes: Attributes): Promise<number | Histogram | undefined>;
  shutdown(): Promise<void>;
}

/** A real SDK MeterProvider with an in-memory cumulative reader. */
export function createTelemetry(): Telemetry {
  const reader = new TestReader();
  const provider = new MeterProvider({
    readers: [reader],
    resource: resourceFromAttributes({ 'service.name': 'golden', 'service.instance.id': 'i1' }),
  });
  const meter = provider.getMeter('@otelkit/circuit-breakers');
  const logs: string[] = [];
  const logger: Logger = {
    error: (m) => logs.push(m),
    warn: (m) => logs.push(m),
    info: (m) => logs.push(m),
    debug: (m) => logs.push(m),
  };
  const collect = async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics;
  const same = (a: Attributes, b: Attributes): boolean => {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
  };
  return {
    meter,
    logs,
    ctx: { meter, tracer: undefined as never, namespace: '', options: {}, logger },
    collect,
    async value(name, attributes) {
      const rm = await collect();
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          if (m.descriptor.name !== name) continue;
          const p = (m.dataPoints as DataPoint<number | Histogram>[]).find((d) => same(d.attributes, attributes));
          if (p !== undefined) return p.value;
        }
      }
      return undefined;
    },
    shutdown: () => provider.shutdown(),
  };
}
