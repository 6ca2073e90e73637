import type { Meter, MetricOptions } from '@opentelemetry/api';
import type { MetricDefinition } from '../catalog.js';
import { runtimeCatalog, type RuntimeMetricName } from './catalog.js';

/** Options shared by the runtime collectors. */
export interface RuntimeMetricsOptions {
  /** Interval of the event loop delay sampler, in milliseconds; each tick is one `nodejs.eventloop.delay` sample. @default 10 */
  readonly eventLoopDelayResolutionMs?: number;
}

/** One group of runtime metrics; `start` registers its instruments and returns how to undo that. */
export interface RuntimeCollector {
  readonly name: string;
  start(meter: Meter, options: RuntimeMetricsOptions): () => void;
}

const byName = new Map<string, MetricDefinition>(runtimeCatalog.map((d) => [d.name, d]));

/** The catalog entry of a runtime metric. */
export function definition(name: RuntimeMetricName): MetricDefinition {
  return byName.get(name) as MetricDefinition;
}

/** Instrument options (description, unit, bucket advice) of a runtime metric, from the catalog. */
export function instrumentOptions(name: RuntimeMetricName): MetricOptions {
  const def = definition(name);
  const options: MetricOptions = { description: def.description, unit: def.unit };
  if (def.buckets !== undefined) options.advice = { explicitBucketBoundaries: [...def.buckets] };
  return options;
}
