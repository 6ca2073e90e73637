import { AggregationTemporality, MetricReader } from '@opentelemetry/sdk-metrics';

/** A pull reader with cumulative temporality, as a Prometheus scrape sees the data; `collect()` on demand. */
export class CumulativeReader extends MetricReader {
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
