import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import type { Logger } from '../logger.js';
import { createResource } from './resource.js';
import { createMetricsPipeline } from './metrics.js';
import { SelfTelemetry } from './self-telemetry.js';

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };

describe('metrics pipeline, pull endpoint only', () => {
  it('serves the collection and counts cardinality overflows seen by scrapes', async () => {
    const config = resolveConfig(
      { serviceName: 'pull-only', metrics: { exporters: ['prometheus'], prometheus: { host: '127.0.0.1', port: 0 }, cardinalityLimit: 3, runtime: false } },
      { env: {}, cwd: process.cwd(), entry: undefined },
    );
    const self = new SelfTelemetry(silent, () => {});
    const pipeline = createMetricsPipeline(config, createResource(config), self, silent);
    self.bind(pipeline.provider.getMeter('otelkit'));
    try {
      await pipeline.ready;
      const url = /prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)\)/.exec(pipeline.describe().join(' '))?.[1];
      expect(url).toBeDefined();
      const orders = pipeline.provider.getMeter('app').createCounter('orders');
      for (let i = 0; i < 10; i++) orders.add(1, { 'order.id': String(i) });

      const first = await (await fetch(url!)).text();
      expect(first).toMatch(/^orders_total\{.*otel_metric_overflow="true".*\} 8$/m);
      const second = await (await fetch(url!)).text();
      expect(second).toMatch(/^otelkit_metric_overflows_total\{.*otelkit_instrument="orders".*\} 1$/m);
    } finally {
      await pipeline.shutdown();
    }
  });
});
