import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { SECONDS_BUCKETS } from '../catalog.js';
import { secondsBucketsProvider } from './seconds-buckets.js';

function setup(): { provider: MeterProvider; exporter: InMemoryMetricExporter; reader: PeriodicExportingMetricReader } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  return { provider: new MeterProvider({ readers: [reader] }), exporter, reader };
}

async function boundaries(exporter: InMemoryMetricExporter, reader: PeriodicExportingMetricReader, name: string): Promise<number[] | undefined> {
  await reader.forceFlush();
  const metric = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)).find((m) => m.descriptor.name === name) as HistogramMetricData | undefined;
  return metric?.dataPoints[0]?.value.buckets.boundaries;
}

let providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
});

describe('histograms in seconds', () => {
  it('get SECONDS_BUCKETS when the instrument gives no advice', async () => {
    const { provider, exporter, reader } = setup();
    providers.push(provider);
    secondsBucketsProvider(provider).getMeter('t').createHistogram('job.duration', { unit: 's' }).record(0.2);
    expect(await boundaries(exporter, reader, 'job.duration')).toEqual(SECONDS_BUCKETS);
  });

  it('keep the advice an instrument brings', async () => {
    const { provider, exporter, reader } = setup();
    providers.push(provider);
    const meter = secondsBucketsProvider(provider).getMeter('t');
    meter.createHistogram('custom.duration', { unit: 's', advice: { explicitBucketBoundaries: [1, 2] } }).record(1.5);
    expect(await boundaries(exporter, reader, 'custom.duration')).toEqual([1, 2]);
  });

  it('leave other units on the SDK defaults', async () => {
    const { provider, exporter, reader } = setup();
    providers.push(provider);
    secondsBucketsProvider(provider).getMeter('t').createHistogram('payload.size', { unit: 'By' }).record(100);
    const b = await boundaries(exporter, reader, 'payload.size');
    expect(b).not.toEqual(SECONDS_BUCKETS);
    expect(b?.at(-1)).toBe(10_000);
  });

  it('the wrapped meter still creates every other instrument kind', () => {
    const { provider } = setup();
    providers.push(provider);
    const meter = secondsBucketsProvider(provider).getMeter('t');
    expect(() => {
      meter.createCounter('a').add(1);
      meter.createUpDownCounter('b').add(-1);
      meter.createGauge('c').record(1);
      meter.createObservableGauge('d').addCallback((r) => r.observe(1));
    }).not.toThrow();
  });
});
