import { diag, DiagLogLevel, metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import { createLateBinding } from './late-binding.js';
import { createTelemetry } from './testing/index.js';

interface Options {
  readonly label?: string;
}
interface Recorded {
  readonly meter: Meter;
  readonly namespace: string;
  readonly label: string | undefined;
  readonly unbind: () => void;
  unbound: boolean;
}

function setUp(): { late: ReturnType<typeof createLateBinding<Recorded, Options>>; made: Recorded[] } {
  const made: Recorded[] = [];
  const late = createLateBinding<Recorded, Options>('@otelkit/test', (meter: Meter, _tracer: Tracer, namespace, options) => {
    const b: Recorded = { meter, namespace, label: options.label, unbound: false, unbind: () => (b.unbound = true) };
    made.push(b);
    return b;
  });
  return { late, made };
}

afterEach(() => {
  metrics.disable();
  trace.disable();
});

it('binds lazily to the global provider once, and rebinds (unbinding the old one) when the app registers a provider', async () => {
  const { late, made } = setUp();
  const first = late.current();
  expect(late.current()).toBe(first);
  expect(made).toHaveLength(1);
  const t = createTelemetry();
  metrics.setGlobalMeterProvider(t.meterProvider);
  const second = late.current();
  expect(second).not.toBe(first);
  expect(first.unbound).toBe(true);
  expect(second.meter).toBe(t.meterProvider.getMeter('@otelkit/test'));
  expect(late.current()).toBe(second);
  await t.shutdown();
});

it("keeps core's binding whatever the global provider, merges options over configured ones, and falls back after unbind", async () => {
  const { late, made } = setUp();
  late.configure({ label: 'configured' });
  const lazy = late.current();
  expect(lazy.label).toBe('configured');
  const t = createTelemetry();
  const unbind = late.bindTo(t.meter, t.tracer, 'app', {});
  expect(lazy.unbound).toBe(true);
  const core = late.current();
  expect(core).toMatchObject({ meter: t.meter, namespace: 'app', label: 'configured' });
  const app = createTelemetry();
  metrics.setGlobalMeterProvider(app.meterProvider);
  expect(late.current()).toBe(core);
  late.configure({ label: 'later' });
  expect(late.current()).toBe(core); // configure drops only a lazy binding
  unbind();
  expect(core.unbound).toBe(true);
  const fallback = late.current();
  expect(fallback).toMatchObject({ namespace: '', label: 'later' });
  expect(made).toHaveLength(3);
  await t.shutdown();
  await app.shutdown();
});

it('configure drops a lazy binding so the next call binds with the new options', () => {
  const { late } = setUp();
  const before = late.current();
  late.configure({ label: 'x' });
  expect(before.unbound).toBe(true);
  expect(late.current().label).toBe('x');
});

it('an unbind function of a replaced binding leaves the newer binding in place', async () => {
  const { late } = setUp();
  const t = createTelemetry();
  const unbindFirst = late.bindTo(t.meter, t.tracer, 'a', {});
  late.bindTo(t.meter, t.tracer, 'b', { label: 'second' });
  unbindFirst();
  expect(late.current()).toMatchObject({ namespace: 'b', label: 'second' });
  await t.shutdown();
});

it('once core lets go (otelkit shutting down), records into no-ops instead of asking the shut-down provider for a meter', async () => {
  const warnings: string[] = [];
  const quiet = (): void => {};
  diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  try {
    const { late, made } = setUp();
    const t = createTelemetry();
    metrics.setGlobalMeterProvider(t.meterProvider);
    const release = late.bindTo(t.meter, t.tracer, '', {});
    release();
    await t.meterProvider.shutdown();
    // the app's own shutdown code records through the pack's API (the bank marks its projections stopped)
    late.current();
    expect(warnings).toEqual([]);
    expect(made).toHaveLength(2);
    // an app that registers a provider of its own afterwards is bound to it again
    metrics.disable();
    const app = createTelemetry();
    metrics.setGlobalMeterProvider(app.meterProvider);
    expect(late.current().meter).toBe(app.meterProvider.getMeter('@otelkit/test'));
    await app.shutdown();
    await t.shutdown();
    expect(warnings.filter((w) => w.includes('cannot provide a Meter'))).toEqual([]);
  } finally {
    diag.disable();
  }
});
