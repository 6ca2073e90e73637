import { expect, it } from 'vitest';
import { metrics, trace } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry } from '@otelkit/node/testing';
import { withCommand } from './instrument.js';

// Without otelkit's start() the explicit API uses the global @opentelemetry/api providers, and picks up providers
// the app registers after its first command.
it('falls back to the global providers and rebinds when the app registers them later', async () => {
  expect(withCommand('Early', () => 1)).toBe(1); // no provider yet: recorded nowhere, no error
  const t = createTelemetry();
  // Register providers globally through the API, as an app wiring the SDK by hand would.
  metrics.setGlobalMeterProvider({ getMeter: () => t.meter });
  trace.setGlobalTracerProvider({ getTracer: () => t.tracer });
  await withCommand('Late', () => Promise.resolve());
  const point = await t.point('command.duration', { 'command.type': 'Late', 'command.outcome': 'success' });
  expect((point?.value as Histogram | undefined)?.count).toBe(1);
  expect(await t.point('command.duration', { 'command.type': 'Early', 'command.outcome': 'success' })).toBeUndefined();
  expect((await t.spans()).map((s) => s.name)).toEqual(['command Late']);
  await t.shutdown();
});
