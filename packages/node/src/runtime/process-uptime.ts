import type { ObservableResult } from '@opentelemetry/api';
import { instrumentOptions, type RuntimeCollector } from './base.js';

/** `process.uptime` in seconds, as a double gauge. */
export const processUptime: RuntimeCollector = {
  name: 'process-uptime',
  start(meter) {
    const uptime = meter.createObservableGauge('process.uptime', instrumentOptions('process.uptime'));
    const callback = (result: ObservableResult): void => result.observe(process.uptime());
    uptime.addCallback(callback);
    return () => uptime.removeCallback(callback);
  },
};
