import type { BatchObservableResult } from '@opentelemetry/api';
import { availableParallelism } from 'node:os';
import { instrumentOptions, type RuntimeCollector } from './base.js';

const USER = { 'cpu.mode': 'user' } as const;
const SYSTEM = { 'cpu.mode': 'system' } as const;

/** `process.cpu.time` (cumulative seconds) and `process.cpu.utilization` (since the previous collection) by cpu.mode. */
export const processCpu: RuntimeCollector = {
  name: 'process-cpu',
  start(meter) {
    const time = meter.createObservableCounter('process.cpu.time', instrumentOptions('process.cpu.time'));
    const utilization = meter.createObservableGauge('process.cpu.utilization', instrumentOptions('process.cpu.utilization'));
    const cpus = availableParallelism();
    let previous = process.cpuUsage();
    let previousAt = performance.now();
    const callback = (result: BatchObservableResult): void => {
      const usage = process.cpuUsage();
      const at = performance.now();
      const elapsedUs = (at - previousAt) * 1000 * cpus;
      result.observe(time, usage.user / 1e6, USER);
      result.observe(time, usage.system / 1e6, SYSTEM);
      if (elapsedUs > 0) {
        result.observe(utilization, (usage.user - previous.user) / elapsedUs, USER);
        result.observe(utilization, (usage.system - previous.system) / elapsedUs, SYSTEM);
      }
      previous = usage;
      previousAt = at;
    };
    meter.addBatchObservableCallback(callback, [time, utilization]);
    return () => meter.removeBatchObservableCallback(callback, [time, utilization]);
  },
};
