import type { BatchObservableResult } from '@opentelemetry/api';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { instrumentOptions, type RuntimeCollector } from './base.js';

/** `nodejs.eventloop.utilization` (since the previous collection) and `nodejs.eventloop.time` by state. */
export const eventLoopUtilization: RuntimeCollector = {
  name: 'event-loop-utilization',
  start(meter) {
    const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', instrumentOptions('nodejs.eventloop.utilization'));
    const time = meter.createObservableCounter('nodejs.eventloop.time', instrumentOptions('nodejs.eventloop.time'));
    let previous: EventLoopUtilization = performance.eventLoopUtilization();
    const callback = (result: BatchObservableResult): void => {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, previous);
      previous = now;
      result.observe(utilization, delta.utilization);
      result.observe(time, now.active / 1000, { 'nodejs.eventloop.state': 'active' });
      result.observe(time, now.idle / 1000, { 'nodejs.eventloop.state': 'idle' });
    };
    meter.addBatchObservableCallback(callback, [utilization, time]);
    return () => meter.removeBatchObservableCallback(callback, [utilization, time]);
  },
};
