import type { Meter, MeterProvider, MetricOptions } from '@opentelemetry/api';
import { SECONDS_BUCKETS } from '../catalog.js';

// The SDK's default histogram buckets are for milliseconds (0..10000). A histogram in seconds would put nearly
// every observation in the first few buckets, so histograms with unit `s` get seconds-scale buckets unless the
// instrument brings its own advice. A View cannot express "unless advice", hence this thin meter wrapper.
function withSecondsBuckets(meter: Meter): Meter {
  const wrapped = Object.create(meter) as Meter;
  wrapped.createHistogram = (name: string, options?: MetricOptions) => {
    if (options?.unit === 's' && options.advice?.explicitBucketBoundaries === undefined) {
      return meter.createHistogram(name, { ...options, advice: { ...options.advice, explicitBucketBoundaries: [...SECONDS_BUCKETS] } });
    }
    return meter.createHistogram(name, options);
  };
  return wrapped;
}

/** A MeterProvider handing out meters that default seconds histograms to SECONDS_BUCKETS. */
export function secondsBucketsProvider(provider: MeterProvider): MeterProvider {
  return {
    getMeter: (name, version, options) => withSecondsBuckets(provider.getMeter(name, version, options)),
  };
}
