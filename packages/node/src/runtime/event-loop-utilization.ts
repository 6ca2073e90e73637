import type { ObservableResult } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { instrumentOptions, type RuntimeCollector } from './base.js';

const ACTIVE = Object.freeze({ 'nodejs.eventloop.state': 'active' });
const IDLE = Object.freeze({ 'nodejs.eventloop.state': 'idle' });

/**
 * `nodejs.eventloop.time` by state, cumulative since the loop started. Utilization over any window is
 * `rate(active) / (rate(active) + rate(idle))`; a gauge "since the previous collection" would be shortened by
 * every other reader's collection (see catalog.ts).
 */
export const eventLoopUtilization: RuntimeCollector = {
  name: 'event-loop-utilization',
  start(meter) {
    const time = meter.createObservableCounter('nodejs.eventloop.time', instrumentOptions('nodejs.eventloop.time'));
    const callback = (result: ObservableResult): void => {
      const now = performance.eventLoopUtilization();
      result.observe(now.active / 1000, ACTIVE);
      result.observe(now.idle / 1000, IDLE);
    };
    time.addCallback(callback);
    return () => time.removeCallback(callback);
  },
};
