import { ExportResultCode } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../logger.js';
import { SelfTelemetry } from './self-telemetry.js';

function collectingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): void => {
    lines.push(m);
  };
  return { lines, error: push, warn: push, info: push, debug: () => {} };
}

async function sums(exporter: InMemoryMetricExporter, reader: PeriodicExportingMetricReader, name: string): Promise<SumMetricData['dataPoints']> {
  await reader.forceFlush();
  const all = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  const last = all.filter((m) => m.descriptor.name === name).at(-1) as SumMetricData | undefined;
  return last?.dataPoints ?? [];
}

describe('SelfTelemetry', () => {
  it('counts export outcomes and warns once per exporter per window', async () => {
    const logger = collectingLogger();
    const warned: string[] = [];
    const self = new SelfTelemetry(logger, (key, message) => {
      if (!warned.some((w) => w.startsWith(key))) warned.push(`${key}|${message}`);
    });
    const selfExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const selfReader = new PeriodicExportingMetricReader({ exporter: selfExporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [selfReader] });
    self.bind(provider.getMeter('otelkit'));

    let fail = false;
    const inner: PushMetricExporter = {
      export: (_m, done) => done(fail ? { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') } : { code: ExportResultCode.SUCCESS }),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const wrapped = self.wrapMetricExporter(inner, 'otlp(grpc http://x:4317)');
    const empty = { resource: provider as never, scopeMetrics: [] };
    const results: number[] = [];
    wrapped.export(empty, (r) => results.push(r.code));
    fail = true;
    wrapped.export(empty, (r) => results.push(r.code));
    wrapped.export(empty, (r) => results.push(r.code));
    expect(results).toEqual([ExportResultCode.SUCCESS, ExportResultCode.FAILED, ExportResultCode.FAILED]);

    const points = await sums(selfExporter, selfReader, 'otelkit.exports');
    const byOutcome = Object.fromEntries(points.map((p) => [String(p.attributes['otelkit.outcome']), p.value]));
    expect(byOutcome).toEqual({ success: 1, failure: 2 });
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/metrics export to otlp\(grpc http:\/\/x:4317\) failed: connect ECONNREFUSED.*\[OTELKIT_E_EXPORT\]/);
    await provider.shutdown();
  });

  it('an exporter that throws synchronously becomes a failed export, not an exception', () => {
    const self = new SelfTelemetry(collectingLogger(), () => {});
    const wrapped = self.wrapSpanExporter(
      { export: () => { throw new Error('boom'); }, shutdown: () => Promise.resolve() },
      'console',
    );
    const results: number[] = [];
    expect(() => wrapped.export([], (r) => results.push(r.code))).not.toThrow();
    expect(results).toEqual([ExportResultCode.FAILED]);
  });

  it('counts instruments that overflow the cardinality limit and says which', async () => {
    const logger = collectingLogger();
    const self = new SelfTelemetry(logger, () => {});
    const selfExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const selfReader = new PeriodicExportingMetricReader({ exporter: selfExporter, exportIntervalMillis: 60_000 });
    const selfProvider = new MeterProvider({ readers: [selfReader] });
    self.bind(selfProvider.getMeter('otelkit'));

    const appExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const appReader = new PeriodicExportingMetricReader({ exporter: self.wrapMetricExporter(appExporter, 'test'), exportIntervalMillis: 60_000, cardinalityLimits: { default: 5 } });
    const appProvider = new MeterProvider({ readers: [appReader] });
    const counter = appProvider.getMeter('app').createCounter('orders');
    for (let i = 0; i < 20; i++) counter.add(1, { 'order.id': String(i) });
    await appReader.forceFlush();
    await appReader.forceFlush();

    const appPoints = appExporter.getMetrics().at(-1)?.scopeMetrics[0]?.metrics[0]?.dataPoints ?? [];
    expect(appPoints).toHaveLength(5);
    expect(appPoints.find((p) => p.attributes['otel.metric.overflow'] === true)?.value).toBe(16);
    const points = await sums(selfExporter, selfReader, 'otelkit.metric.overflows');
    expect(points.map((p) => [p.attributes['otelkit.instrument'], p.value])).toEqual([['orders', 1]]);
    expect(logger.lines.filter((l) => l.includes('metric orders exceeded the cardinality limit'))).toHaveLength(1);
    await appProvider.shutdown();
    await selfProvider.shutdown();
  });
});

describe('spans dropped', () => {
  it('counts spans the batch processor drops on a full queue as otelkit.spans.dropped{queue_full}', async () => {
    const self = new SelfTelemetry(collectingLogger(), () => {});
    const selfExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const selfReader = new PeriodicExportingMetricReader({ exporter: selfExporter, exportIntervalMillis: 60_000 });
    const selfProvider = new MeterProvider({ readers: [selfReader] });
    self.bind(selfProvider.getMeter('otelkit'));

    const spans = new InMemorySpanExporter();
    const processor = new BatchSpanProcessor({
      exporter: self.wrapSpanExporter(spans, 'memory'),
      maxQueueSize: 4,
      maxExportBatchSize: 4,
      scheduledDelayMillis: 60_000,
      selfObsMeterProvider: self.spanProcessorMeterProvider(),
    });
    const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('t');
    for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
    await processor.forceFlush();

    expect(spans.getFinishedSpans().length).toBeLessThan(10);
    const dropped = await sums(selfExporter, selfReader, 'otelkit.spans.dropped');
    expect(dropped.map((p) => [p.attributes['otelkit.reason'], p.value])).toEqual([['queue_full', 10 - spans.getFinishedSpans().length]]);
    await selfProvider.shutdown();
  });
});
