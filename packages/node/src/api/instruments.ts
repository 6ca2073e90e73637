import { metrics, type Attributes, type Counter, type Gauge, type Histogram, type Meter, type UpDownCounter } from '@opentelemetry/api';
import { SECONDS_BUCKETS } from '../catalog.js';

/** Options of the app instrument helpers. */
export interface AppInstrumentOptions {
  /** UCUM unit, e.g. `s`, `By`, `{order}`. */
  readonly unit?: string;
  readonly description?: string;
  /** @default metrics.getMeter('app') */
  readonly meter?: Meter;
}

/** Histogram options: bucket boundaries in the histogram's unit. */
export interface AppHistogramOptions extends AppInstrumentOptions {
  /** @default SECONDS_BUCKETS when unit is `s`, else the SDK defaults */
  readonly buckets?: readonly number[];
}

function meterOf(options: AppInstrumentOptions): Meter {
  return options.meter ?? metrics.getMeter('app');
}

function base(options: AppInstrumentOptions): { unit?: string; description?: string } {
  const out: { unit?: string; description?: string } = {};
  if (options.unit !== undefined) out.unit = options.unit;
  if (options.description !== undefined) out.description = options.description;
  return out;
}

/** A monotonic counter; `A` types the attributes. */
export function counter<A extends Attributes = Attributes>(name: string, options: AppInstrumentOptions = {}): Counter<A> {
  return meterOf(options).createCounter<A>(name, base(options));
}

/** A counter that can go down (in-flight work, queue length). */
export function upDownCounter<A extends Attributes = Attributes>(name: string, options: AppInstrumentOptions = {}): UpDownCounter<A> {
  return meterOf(options).createUpDownCounter<A>(name, base(options));
}

/** A synchronous gauge (last value wins). */
export function gauge<A extends Attributes = Attributes>(name: string, options: AppInstrumentOptions = {}): Gauge<A> {
  return meterOf(options).createGauge<A>(name, base(options));
}

/** A histogram; unit `s` gets seconds-scale buckets. */
export function histogram<A extends Attributes = Attributes>(name: string, options: AppHistogramOptions = {}): Histogram<A> {
  const buckets = options.buckets ?? (options.unit === 's' ? SECONDS_BUCKETS : undefined);
  return meterOf(options).createHistogram<A>(
    name,
    buckets === undefined ? base(options) : { ...base(options), advice: { explicitBucketBoundaries: [...buckets] } },
  );
}
