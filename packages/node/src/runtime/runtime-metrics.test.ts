import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MeterProvider, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusPullReader } from '../prometheus/pull-reader.js';
import { serializePrometheus } from '../prometheus/serialize.js';
import { runtimeCatalog, startRuntimeMetrics, type RuntimeMetricsHandle } from './index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(): { reader: PrometheusPullReader; handle: RuntimeMetricsHandle } {
  const reader = new PrometheusPullReader({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [reader] });
  const handle = startRuntimeMetrics(provider.getMeter('@otelkit/node'), { eventLoopDelayResolutionMs: 1 });
  cleanups.push(() => handle.stop(), () => provider.shutdown());
  return { reader, handle };
}

async function collect(reader: PrometheusPullReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.dataPoints.length > 0).map((m) => [m.descriptor.name, m]));
}

function points(metric: MetricData | undefined): DataPoint<unknown>[] {
  expect(metric).toBeDefined();
  return (metric as MetricData).dataPoints as DataPoint<unknown>[];
}

function valueOf(metric: MetricData | undefined, attrs: Record<string, string> = {}): number {
  const point = points(metric).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));
  expect(point, `${metric?.descriptor.name} ${JSON.stringify(attrs)}`).toBeDefined();
  return (point as DataPoint<number>).value;
}

/** Gives the event loop something to measure: a blocked turn, then a few timer turns. */
async function exerciseEventLoop(): Promise<void> {
  // the monitor's first tick only sets its baseline, so let it tick before blocking
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 5));
  const until = Date.now() + 30;
  while (Date.now() < until) { /* block the loop so delay and CPU time are non-zero */ }
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
}

function forceGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('startRuntimeMetrics', () => {
  it('reports every catalog metric with its semconv unit and sane values', async () => {
    const { reader } = setup();
    await exerciseEventLoop();
    forceGc();
    await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered asynchronously
    const metrics = await collect(reader);

    for (const def of runtimeCatalog) {
      expect(metrics.get(def.name)?.descriptor.unit, def.name).toBe(def.unit);
    }
    const max = valueOf(metrics.get('nodejs.eventloop.delay.max'));
    const min = valueOf(metrics.get('nodejs.eventloop.delay.min'));
    const p99 = valueOf(metrics.get('nodejs.eventloop.delay.p99'));
    expect(min).toBeGreaterThan(0);
    expect(min).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    expect(max).toBeGreaterThan(0.01); // the 30 ms block shows up, in seconds (not ns or ms)
    expect(max).toBeLessThan(10);

    const elu = valueOf(metrics.get('nodejs.eventloop.utilization'));
    expect(elu).toBeGreaterThan(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(valueOf(metrics.get('nodejs.eventloop.time'), { 'nodejs.eventloop.state': 'active' })).toBeGreaterThan(0);

    const gcPoints = points(metrics.get('v8js.gc.duration')) as DataPoint<{ count: number; buckets: { boundaries: number[] } }>[];
    const major = gcPoints.find((p) => p.attributes['v8js.gc.type'] === 'major');
    expect(major?.value.count).toBeGreaterThanOrEqual(1);
    expect(major?.value.buckets.boundaries).toEqual(runtimeCatalog.find((d) => d.name === 'v8js.gc.duration')?.buckets);

    expect(valueOf(metrics.get('v8js.memory.heap.used'), { 'v8js.heap.space.name': 'old_space' })).toBeGreaterThan(0);
    expect(valueOf(metrics.get('v8js.memory.heap.space.size'), { 'v8js.heap.space.name': 'old_space' })).toBeGreaterThan(0);
    expect(valueOf(metrics.get('process.cpu.time'), { 'cpu.mode': 'user' })).toBeGreaterThan(0.02);
    const cpu = valueOf(metrics.get('process.cpu.utilization'), { 'cpu.mode': 'user' });
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThanOrEqual(1);
    expect(valueOf(metrics.get('process.memory.usage'))).toBeGreaterThan(10 * 1024 * 1024);
    expect(valueOf(metrics.get('process.uptime'))).toBeCloseTo(process.uptime(), 0);
  });

  it('resets the delay window after each collection', async () => {
    const { reader } = setup();
    await exerciseEventLoop();
    const first = await collect(reader);
    expect(valueOf(first.get('nodejs.eventloop.delay.max'))).toBeGreaterThan(0.01);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    const second = await collect(reader);
    // the 30 ms block belongs to the first window only
    expect(valueOf(second.get('nodejs.eventloop.delay.max'))).toBeLessThan(valueOf(first.get('nodejs.eventloop.delay.max')));
  });

  it('is exposed under the collector-style Prometheus names', async () => {
    const { reader } = setup();
    await exerciseEventLoop();
    const text = serializePrometheus((await reader.collect()).resourceMetrics);
    for (const name of [
      'nodejs_eventloop_delay_p99_seconds', 'nodejs_eventloop_utilization_ratio', 'nodejs_eventloop_time_seconds_total',
      'v8js_memory_heap_used_bytes', 'v8js_memory_heap_space_available_size_bytes', 'process_cpu_time_seconds_total',
      'process_cpu_utilization_ratio', 'process_memory_usage_bytes', 'process_uptime_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('stops reporting observable metrics after stop()', async () => {
    const { reader, handle } = setup();
    await exerciseEventLoop();
    handle.stop();
    handle.stop();
    const metrics = await collect(reader);
    expect(metrics.has('nodejs.eventloop.delay.max')).toBe(false);
    expect(metrics.has('process.cpu.time')).toBe(false);
    expect(metrics.has('v8js.memory.heap.used')).toBe(false);
  });
});
