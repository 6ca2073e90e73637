import type { Meter } from '@opentelemetry/api';
import type { RuntimeCollector, RuntimeMetricsOptions } from './base.js';
import { eventLoopDelay } from './event-loop-delay.js';
import { eventLoopUtilization } from './event-loop-utilization.js';
import { gc } from './gc.js';
import { heap } from './heap.js';
import { processCpu } from './process-cpu.js';
import { processMemory } from './process-memory.js';
import { processUptime } from './process-uptime.js';

export type { RuntimeMetricsOptions } from './base.js';
export { runtimeCatalog } from './catalog.js';

const COLLECTORS: readonly RuntimeCollector[] = [eventLoopDelay, eventLoopUtilization, gc, heap, processCpu, processMemory, processUptime];

/** Handle of the running runtime metrics. */
export interface RuntimeMetricsHandle {
  /** Removes the callbacks and stops the event loop monitor and the GC observer. Idempotent. */
  stop(): void;
}

/**
 * Starts the Node.js runtime metrics (event loop delay and utilization, GC, V8 heap, process CPU, memory, uptime)
 * on `meter`, under semantic-convention names. Use a meter scoped to otelkit, e.g. `getMeter('@otelkit/node')`.
 */
export function startRuntimeMetrics(meter: Meter, options: RuntimeMetricsOptions = {}): RuntimeMetricsHandle {
  const stops: (() => void)[] = [];
  for (const collector of COLLECTORS) stops.push(collector.start(meter, options));
  let stopped = false;
  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      for (const stop of stops) {
        try {
          stop();
        } catch {
          // Stopping one collector must not keep the others running.
        }
      }
    },
  };
}
