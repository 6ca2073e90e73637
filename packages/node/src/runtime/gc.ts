import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { instrumentOptions, type RuntimeCollector } from './base.js';

const GC_TYPES: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
// One attributes object per GC type, so recording a GC allocates nothing.
const ATTRIBUTES = new Map(Object.entries(GC_TYPES).map(([kind, type]) => [Number(kind), { 'v8js.gc.type': type }]));

/** `v8js.gc.duration` (seconds) by `v8js.gc.type`, from a `gc` PerformanceObserver. */
export const gc: RuntimeCollector = {
  name: 'gc',
  start(meter) {
    const histogram = meter.createHistogram('v8js.gc.duration', instrumentOptions('v8js.gc.duration'));
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
        const attributes = ATTRIBUTES.get(entry.detail?.kind ?? -1);
        if (attributes !== undefined) histogram.record(entry.duration / 1000, attributes);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  },
};
