import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
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

function histogramOf(metric: MetricData | undefined): Histogram {
  const [point] = points(metric);
  return (point as DataPoint<Histogram>).value;
}

/** Samples above `seconds` (a bucket boundary). */
function samplesAbove(h: Histogram, seconds: number): number {
  const i = h.buckets.boundaries.indexOf(seconds);
  expect(i).toBeGreaterThanOrEqual(0);
  return h.buckets.counts.slice(i + 1).reduce((a, b) => a + b, 0);
}

interface Scraped {
  count: number;
  above10ms: number;
}

/** What a Prometheus scrape of the endpoint shows of the delay histogram. */
async function scrape(reader: PrometheusPullReader): Promise<Scraped> {
  const { body } = await reader.render();
  const count = Number(/^nodejs_eventloop_delay_seconds_count(?:\{[^}]*\})? (\S+)$/m.exec(body)?.[1]);
  const upTo10ms = Number(/^nodejs_eventloop_delay_seconds_bucket\{[^}]*le="0\.01"[^}]*\} (\S+)$/m.exec(body)?.[1]);
  expect(count).toBeGreaterThan(0);
  expect(upTo10ms).toBeGreaterThanOrEqual(0);
  return { count, above10ms: count - upTo10ms };
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
    const delay = histogramOf(metrics.get('nodejs.eventloop.delay'));
    expect(delay.count).toBeGreaterThan(3);
    expect(delay.buckets.boundaries).toEqual(runtimeCatalog.find((d) => d.name === 'nodejs.eventloop.delay')?.buckets);
    expect(samplesAbove(delay, 0.01)).toBeGreaterThanOrEqual(1); // the 30 ms block shows up, in seconds (not ns or ms)
    expect(delay.max).toBeLessThan(10);

    expect(valueOf(metrics.get('nodejs.eventloop.time'), { 'nodejs.eventloop.state': 'active' })).toBeGreaterThan(0);

    const gcPoints = points(metrics.get('v8js.gc.duration')) as DataPoint<{ count: number; buckets: { boundaries: number[] } }>[];
    const major = gcPoints.find((p) => p.attributes['v8js.gc.type'] === 'major');
    expect(major?.value.count).toBeGreaterThanOrEqual(1);
    expect(major?.value.buckets.boundaries).toEqual(runtimeCatalog.find((d) => d.name === 'v8js.gc.duration')?.buckets);

    expect(valueOf(metrics.get('v8js.memory.heap.used'), { 'v8js.heap.space.name': 'old_space' })).toBeGreaterThan(0);
    expect(valueOf(metrics.get('v8js.memory.heap.space.size'), { 'v8js.heap.space.name': 'old_space' })).toBeGreaterThan(0);
    expect(valueOf(metrics.get('v8js.memory.heap.size_limit'))).toBe(getHeapStatistics().heap_size_limit);
    expect(valueOf(metrics.get('process.cpu.time'), { 'cpu.mode': 'user' })).toBeGreaterThan(0.02);
    expect(valueOf(metrics.get('process.memory.usage'))).toBeGreaterThan(10 * 1024 * 1024);
    expect(valueOf(metrics.get('process.uptime'))).toBeCloseTo(process.uptime(), 0);
  });

  it('keeps the delay histogram cumulative: a later collection still holds an earlier block', async () => {
    const { reader } = setup();
    await exerciseEventLoop();
    const first = histogramOf((await collect(reader)).get('nodejs.eventloop.delay'));
    expect(samplesAbove(first, 0.01)).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    const second = histogramOf((await collect(reader)).get('nodejs.eventloop.delay'));
    // Nothing is reset by a collection: any reader's window is a difference of two cumulative readings.
    expect(second.count).toBeGreaterThan(first.count);
    expect(samplesAbove(second, 0.01)).toBe(samplesAbove(first, 0.01));
  });

  it('gives every reader the whole picture, however often the others collect', async () => {
    // The production layout: the pull endpoint serves the OTLP reader's collection; plus an independent reader.
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const push = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const pull = new PrometheusPullReader({ preventServerStart: true, source: push });
    const other = new PrometheusPullReader({ preventServerStart: true });
    const provider = new MeterProvider({ readers: [push, other] });
    const handle = startRuntimeMetrics(provider.getMeter('@otelkit/node'), { eventLoopDelayResolutionMs: 1 });
    cleanups.push(() => handle.stop(), () => provider.shutdown());

    await exerciseEventLoop();
    // A fast scraper collects many times after the block...
    const fast: Scraped[] = [];
    for (let i = 0; i < 10; i++) {
      fast.push(await scrape(pull));
      await new Promise((r) => setTimeout(r, 2));
    }
    handle.stop(); // freeze the histogram so the readers can be compared exactly
    const slow = await scrape(pull);
    const independent = histogramOf((await collect(other)).get('nodejs.eventloop.delay'));
    await push.forceFlush();
    const pushed = exporter.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'nodejs.eventloop.delay');
    const pushedPoint = histogramOf(pushed);

    // ...and the slow scraper, the independent reader and the push still see the block and every sample.
    expect(slow.above10ms).toBeGreaterThanOrEqual(1);
    expect(samplesAbove(independent, 0.01)).toBe(slow.above10ms);
    expect(samplesAbove(pushedPoint, 0.01)).toBe(slow.above10ms);
    expect(slow.count).toBe(pushedPoint.count);
    expect(independent.count).toBe(pushedPoint.count);
    for (let i = 1; i < fast.length; i++) expect((fast[i] as Scraped).count).toBeGreaterThanOrEqual((fast[i - 1] as Scraped).count);
  });

  it('is exposed under the collector-style Prometheus names', async () => {
    const { reader } = setup();
    await exerciseEventLoop();
    const text = serializePrometheus((await reader.collect()).resourceMetrics);
    for (const name of [
      'nodejs_eventloop_delay_seconds', 'nodejs_eventloop_time_seconds_total',
      'v8js_memory_heap_used_bytes', 'v8js_memory_heap_space_available_size_bytes', 'v8js_memory_heap_size_limit_bytes', 'process_cpu_time_seconds_total',
      'process_memory_usage_bytes', 'process_uptime_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('stops reporting observable metrics and sampling the delay after stop()', async () => {
    const { reader, handle } = setup();
    await exerciseEventLoop();
    handle.stop();
    handle.stop();
    const metrics = await collect(reader);
    const frozen = histogramOf(metrics.get('nodejs.eventloop.delay')).count;
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(histogramOf((await collect(reader)).get('nodejs.eventloop.delay')).count).toBe(frozen);
    expect(metrics.has('nodejs.eventloop.time')).toBe(false);
    expect(metrics.has('process.cpu.time')).toBe(false);
    expect(metrics.has('v8js.memory.heap.used')).toBe(false);
  });
});
