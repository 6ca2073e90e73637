import type { ObservableResult } from '@opentelemetry/api';
import { instrumentOptions, type RuntimeCollector } from './base.js';

/** `process.memory.usage`: the resident set size, read with the cheap `process.memoryUsage.rss()`. */
export const processMemory: RuntimeCollector = {
  name: 'process-memory',
  start(meter) {
    const usage = meter.createObservableUpDownCounter('process.memory.usage', instrumentOptions('process.memory.usage'));
    const callback = (result: ObservableResult): void => result.observe(process.memoryUsage.rss());
    usage.addCallback(callback);
    return () => usage.removeCallback(callback);
  },
};
