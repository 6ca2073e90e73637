import type { BatchObservableResult, ObservableGauge } from '@opentelemetry/api';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { instrumentOptions, NS_PER_S, type RuntimeCollector } from './base.js';

type Stat = 'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99';
const STATS: readonly Stat[] = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'];

/** `nodejs.eventloop.delay.*` from `perf_hooks.monitorEventLoopDelay`, reset after each collection. */
export const eventLoopDelay: RuntimeCollector = {
  name: 'event-loop-delay',
  start(meter, options) {
    const histogram = monitorEventLoopDelay({ resolution: options.eventLoopDelayResolutionMs ?? 10 });
    histogram.enable();
    const gauges = new Map<Stat, ObservableGauge>(
      STATS.map((s) => [s, meter.createObservableGauge(`nodejs.eventloop.delay.${s}`, instrumentOptions(`nodejs.eventloop.delay.${s}`))]),
    );
    const callback = (result: BatchObservableResult): void => {
      // Before the first sample the histogram reports min as a huge sentinel and mean as NaN: report nothing.
      if (histogram.count === 0) return;
      const values: Record<Stat, number> = {
        min: histogram.min,
        max: histogram.max,
        mean: histogram.mean,
        stddev: histogram.stddev,
        p50: histogram.percentile(50),
        p90: histogram.percentile(90),
        p99: histogram.percentile(99),
      };
      for (const [stat, gauge] of gauges) result.observe(gauge, values[stat] / NS_PER_S);
      histogram.reset();
    };
    const observables = [...gauges.values()];
    meter.addBatchObservableCallback(callback, observables);
    return () => {
      meter.removeBatchObservableCallback(callback, observables);
      histogram.disable();
    };
  },
};
