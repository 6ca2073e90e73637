import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import type { Logger } from '../logger.js';
import { createResource } from './resource.js';
import { createMetricsPipeline } from './metrics.js';
import { SelfTelemetry } from './self-telemetry.js';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** A metrics pipeline with self-telemetry bound, started from code options; `url` is its pull endpoint. */
async function startPipeline(options: Parameters<typeof resolveConfig>[0]): Promise<{ pipeline: ReturnType<typeof createMetricsPipeline>; url: string }> {
  const config = resolveConfig(options, { env: {}, cwd: process.cwd(), entry: undefined });
  const self = new SelfTelemetry(silent, () => {});
  const pipeline = createMetricsPipeline(config, createResource(config), self, silent);
  self.bind(pipeline.provider.getMeter('otelkit'));
  await pipeline.ready;
  const url = /prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)\)/.exec(pipeline.describe().join(' '))?.[1];
  expect(url).toBeDefined();
  return { pipeline, url: url ?? '' };
}

describe('metrics pipeline, pull endpoint only', () => {
  it('serves the collection and counts cardinality overflows seen by scrapes', async () => {
    const { pipeline, url } = await startPipeline({ serviceName: 'pull-only', metrics: { exporters: ['prometheus'], prometheus: { host: '127.0.0.1', port: 0 }, cardinalityLimit: 3, runtime: false } });
    try {
      const orders = pipeline.provider.getMeter('app').createCounter('orders');
      for (let i = 0; i < 10; i++) orders.add(1, { 'order.id': String(i) });

      const first = await (await fetch(url)).text();
      expect(first).toMatch(/^orders_total\{.*otel_metric_overflow="true".*\} 8$/m);
      const second = await (await fetch(url)).text();
      expect(second).toMatch(/^otelkit_metric_overflows_total\{.*otelkit_instrument="orders".*\} 1$/m);
    } finally {
      await pipeline.shutdown();
    }
  });
});

describe('metrics pipeline, bounded scrapes', () => {
  it.each([
    ['pull only', ['prometheus'] as const],
    ['pull serving the OTLP reader\'s collection', ['otlp', 'prometheus'] as const],
  ])('%s: a callback that never resolves is left out after the timeout and counted in otelkit.metric.callbacks.late', async (_, exporters) => {
    const { pipeline, url } = await startPipeline({
      serviceName: 'slow-gauge',
      // The final push at shutdown waits for the hung callback too, up to the export timeout.
      metrics: { exporters: [...exporters], exportTimeoutMillis: 100, otlp: { endpoint: 'http://127.0.0.1:1' }, prometheus: { host: '127.0.0.1', port: 0, collectTimeoutMillis: 50 }, runtime: false },
    });
    try {
      const meter = pipeline.provider.getMeter('app');
      meter.createCounter('orders').add(3);
      meter.createObservableGauge('projection.head').addCallback(() => new Promise<void>(() => {}));

      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect(await first.text()).toMatch(/^orders_total\{.*\} 3$/m);
      const second = await (await fetch(url)).text();
      expect(second).toMatch(/^otelkit_metric_callbacks_late_total\{.*\} 1$/m);
      expect(second).not.toContain('projection_head');
    } finally {
      await pipeline.shutdown();
    }
  });
});

describe('metrics pipeline, naming of the pull endpoint', () => {
  it.each([
    ['collector', /^http_server_request_duration_seconds_count\{.*\} 2$/m, /^http_server_request_duration_count/m],
    ['otel-js', /^http_server_request_duration_count\{.*\} 2$/m, /^http_server_request_duration_seconds/m],
  ] as const)('%s naming', async (naming, present, absent) => {
    const { pipeline, url } = await startPipeline({ serviceName: 'naming', metrics: { exporters: ['prometheus'], prometheus: { host: '127.0.0.1', port: 0, naming }, runtime: false } });
    try {
      const histogram = pipeline.provider.getMeter('app').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
      histogram.record(0.05, { 'http.request.method': 'GET' });
      histogram.record(0.5, { 'http.request.method': 'GET' });
      const res = await fetch(url);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(body).toMatch(present);
      expect(body).not.toMatch(absent);
      expect(body).toMatch(/http_request_method="GET"/);
    } finally {
      await pipeline.shutdown();
    }
  });
});
