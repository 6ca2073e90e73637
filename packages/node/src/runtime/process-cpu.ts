import type { ObservableResult } from '@opentelemetry/api';
import { instrumentOptions, type RuntimeCollector } from './base.js';

const USER = Object.freeze({ 'cpu.mode': 'user' });
const SYSTEM = Object.freeze({ 'cpu.mode': 'system' });

/**
 * `process.cpu.time` (cumulative seconds) by cpu.mode. CPU utilization over any window is its `rate()` (cores in
 * use); a gauge "since the previous collection" would be shortened by every other reader's collection.
 */
export const processCpu: RuntimeCollector = {
  name: 'process-cpu',
  start(meter) {
    const time = meter.createObservableCounter('process.cpu.time', instrumentOptions('process.cpu.time'));
    const callback = (result: ObservableResult): void => {
      const usage = process.cpuUsage();
      result.observe(usage.user / 1e6, USER);
      result.observe(usage.system / 1e6, SYSTEM);
    };
    time.addCallback(callback);
    return () => time.removeCallback(callback);
  },
};
