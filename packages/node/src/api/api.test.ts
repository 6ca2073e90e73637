import { context, metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECONDS_BUCKETS } from '../catalog.js';
import { counter, histogram, startTimer, timed, withSpan } from './index.js';

const spans = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  context.disable();
  trace.disable();
  metrics.disable();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
});

async function histogramPoints(name: string): Promise<HistogramMetricData['dataPoints']> {
  await reader.forceFlush();
  const m = exporter.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === name) as HistogramMetricData | undefined;
  return m?.dataPoints ?? [];
}

async function finished(): Promise<ReturnType<InMemorySpanExporter['getFinishedSpans']>> {
  // SimpleSpanProcessor hands spans to the exporter asynchronously.
  await tracerProvider.forceFlush();
  return spans.getFinishedSpans();
}

describe('withSpan', () => {
  it('ends the span around a sync function and returns its value', async () => {
    spans.reset();
    expect(withSpan('sync', () => 42)).toBe(42);
    expect((await finished()).map((s) => [s.name, s.status.code])).toEqual([['sync', SpanStatusCode.UNSET]]);
  });

  it('records a thrown error, sets ERROR and rethrows', async () => {
    spans.reset();
    const error = new TypeError('bad input');
    expect(() => withSpan('throws', () => { throw error; })).toThrow(error);
    const [span] = await finished();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad input' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(span?.attributes['error.type']).toBe('TypeError');
  });

  it('waits for a promise and records a rejection', async () => {
    spans.reset();
    await expect(withSpan('async', async () => { await Promise.resolve(); throw new Error('nope'); })).rejects.toThrow('nope');
    expect(await withSpan('async-ok', (span) => Promise.resolve(span.spanContext().traceId.length))).toBe(32);
    expect((await finished()).map((s) => [s.name, s.status.code])).toEqual([
      ['async', SpanStatusCode.ERROR],
      ['async-ok', SpanStatusCode.UNSET],
    ]);
  });

  it('makes the span active inside fn', async () => {
    spans.reset();
    withSpan('outer', () => withSpan('inner', () => undefined));
    const [inner, outer] = await finished();
    expect(inner?.name).toBe('inner');
    expect(outer?.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
  });
});

describe('histogram, startTimer and timed', () => {
  it('a seconds histogram gets seconds buckets; the timer records once with the final attributes', async () => {
    const h = histogram('job.duration', { unit: 's' });
    const timer = startTimer(h, { job: 'a' });
    const seconds = timer.stop({ outcome: 'success' });
    timer.stop();
    expect(seconds).toBeGreaterThanOrEqual(0);
    const [point] = await histogramPoints('job.duration');
    expect(point?.attributes).toEqual({ job: 'a', outcome: 'success' });
    expect(point?.value.count).toBe(1);
    expect(point?.value.buckets.boundaries).toEqual(SECONDS_BUCKETS);
  });

  it('timed marks outcome from how the work ended, sync or async', async () => {
    const h = histogram('step.duration', { unit: 's' });
    expect(timed(h, { step: 's' }, () => 1)).toBe(1);
    expect(() => timed(h, { step: 's' }, () => { throw new Error('x'); })).toThrow('x');
    await expect(timed(h, { step: 'a' }, () => Promise.reject(new Error('y')))).rejects.toThrow('y');
    const points = await histogramPoints('step.duration');
    const counts = Object.fromEntries(points.map((p) => [`${String(p.attributes.step)}:${String(p.attributes.outcome)}`, p.value.count]));
    expect(counts).toEqual({ 's:success': 1, 's:failure': 1, 'a:failure': 1 });
  });

  it('counter is typed over its attributes and records on the app meter', async () => {
    const c = counter<{ 'order.kind': 'new' | 'repeat' }>('orders', { unit: '{order}' });
    c.add(2, { 'order.kind': 'new' });
    await reader.forceFlush();
    const m = exporter.getMetrics().at(-1)?.scopeMetrics.find((s) => s.scope.name === 'app')?.metrics.find((x) => x.descriptor.name === 'orders');
    expect(m?.dataPoints[0]?.value).toBe(2);
    expect(m?.descriptor.unit).toBe('{order}');
  });
});
