import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PrometheusPullReader } from './pull-reader.js';
import { serializePrometheus } from './serialize.js';

// Golden files: regenerate with `UPDATE_GOLDEN=1 pnpm vitest run packages/node/src/prometheus/serialize.test.ts`.
const fixtures = new URL('../../../../test/fixtures/prometheus/', import.meta.url);

function golden(name: string, actual: string): void {
  const file = fileURLToPath(new URL(name, fixtures));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** A fixed sequence of recordings exercising every naming and formatting rule the collector applies. */
async function recordKnownSequence(resource: Record<string, string> = {
  'service.name': 'bank',
  'service.namespace': 'demo',
  'service.instance.id': 'instance-1',
  'deployment.environment.name': 'test',
  'host.name': 'box',
}): Promise<PrometheusPullReader> {
  const reader = new PrometheusPullReader({ preventServerStart: true });
  const provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader] });
  const meter = provider.getMeter('@otelkit/commands', '0.1.0');
  const other = provider.getMeter('app');

  const duration = meter.createHistogram('command.duration', {
    unit: 's',
    description: 'Duration of command handling.',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.1, 1, 2.5] },
  });
  for (const v of [0.003, 0.02, 0.02, 0.5, 3]) duration.record(v, { 'command.type': 'OpenAccount', 'command.outcome': 'success' });
  duration.record(0.2, { 'command.type': 'Deposit', 'command.outcome': 'rejected', 'error.type': 'InsufficientFunds' });

  const active = meter.createUpDownCounter('command.active', { unit: '{command}', description: 'Commands being handled right now.' });
  active.add(2, { 'command.type': 'OpenAccount' });
  active.add(-1, { 'command.type': 'OpenAccount' });

  const retries = meter.createCounter('command.retries', { unit: '{retry}', description: 'Retries.' });
  retries.add(1_234_567, { 'command.type': 'Deposit', 'retry.reason': 'conflict' });

  const requests = other.createCounter('http.requests.total', { description: 'Help with \\ backslash\nand newline.' });
  requests.add(3, { 'http.request.method': 'GET', path: '/a "quoted"\\path\nnext' });

  const bytes = other.createCounter('io.transferred', { unit: 'By/s', valueType: ValueType.DOUBLE });
  bytes.add(0.5);

  const ratio = other.createGauge('pool.usage', { unit: '1' });
  ratio.record(0.25, { '_private': 'x', '3d': 'y' });

  const udcRatio = other.createUpDownCounter('queue.fill', { unit: '1' });
  udcRatio.add(1);

  const lag = other.createObservableGauge('projection.lag', { unit: 's' });
  lag.addCallback((r) => r.observe(0.000012, { 'projection.name': 'balance' }));

  other.createCounter('never.recorded');
  return reader;
}

describe('serializePrometheus', () => {
  it('matches the text-format golden file', async () => {
    const reader = await recordKnownSequence();
    const { resourceMetrics } = await reader.collect();
    golden('known-sequence.prom', serializePrometheus(resourceMetrics));
  });

  it('matches the OpenMetrics golden file', async () => {
    const reader = await recordKnownSequence();
    const { resourceMetrics } = await reader.collect();
    golden('known-sequence.openmetrics.txt', serializePrometheus(resourceMetrics, { openMetrics: true }));
  });

  it('names, labels and formats series as the collector does', async () => {
    const reader = await recordKnownSequence();
    const text = serializePrometheus((await reader.collect()).resourceMetrics);
    const scope = 'instance="instance-1",job="demo/bank",otel_scope_name="@otelkit/commands",otel_scope_schema_url="",otel_scope_version="0.1.0"';
    // unit suffix, sorted labels, job from namespace/name, `le` last, float formatting of bounds
    expect(text).toContain(`command_duration_seconds_bucket{command_outcome="success",command_type="OpenAccount",${scope},le="0.005"} 1\n`);
    expect(text).toContain(`command_duration_seconds_bucket{command_outcome="success",command_type="OpenAccount",${scope},le="2.5"} 4\n`);
    expect(text).toContain(`command_duration_seconds_bucket{command_outcome="success",command_type="OpenAccount",${scope},le="+Inf"} 5\n`);
    expect(text).toContain(`command_duration_seconds_count{command_outcome="success",command_type="OpenAccount",${scope}} 5\n`);
    expect(text).toContain('# HELP command_duration_seconds Duration of command handling.\n# TYPE command_duration_seconds histogram\n');
    // annotations in braces add no unit; up-down counter → gauge without _total
    expect(text).toContain(`# TYPE command_active gauge\ncommand_active{command_type="OpenAccount",${scope}} 1\n`);
    // counters get _total; Go %g formatting switches to exponent notation at 1e6
    expect(text).toContain(`command_retries_total{command_type="Deposit",${scope},retry_reason="conflict"} 1.234567e+06\n`);
    // an existing `total` token is moved to the end, not doubled; help and label values are escaped
    expect(text).toContain('# HELP http_requests_total Help with \\\\ backslash\\nand newline.\n');
    expect(text).toContain('http_requests_total{http_request_method="GET",instance="instance-1",job="demo/bank",otel_scope_name="app",otel_scope_schema_url="",otel_scope_version="",path="/a \\"quoted\\"\\\\path\\nnext"} 3\n');
    // per-unit words; ratio only for gauges of unit 1, not for up-down counters
    expect(text).toContain('io_transferred_bytes_per_second_total{');
    expect(text).toContain('pool_usage_ratio{instance="instance-1",job="demo/bank",key_3d="y",key_private="x",');
    expect(text).toContain('queue_fill{');
    expect(text).not.toContain('queue_fill_ratio');
    expect(text).toContain('projection_lag_seconds{instance="instance-1",job="demo/bank",otel_scope_name="app",otel_scope_schema_url="",otel_scope_version="",projection_name="balance"} 1.2e-05\n');
    // target_info: resource attributes minus service.*, plus job and instance
    expect(text).toContain('# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{deployment_environment_name="test",host_name="box",instance="instance-1",job="demo/bank"} 1\n');
    // instruments without data points produce no family
    expect(text).not.toContain('never_recorded');
    // families sorted by name
    const families = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    expect(families).toEqual([...families].sort());
  });

  it('omits target_info and instance without service.instance.id, as the collector does', async () => {
    const reader = await recordKnownSequence({ 'service.name': 'bank' });
    const text = serializePrometheus((await reader.collect()).resourceMetrics);
    expect(text).not.toContain('target_info');
    expect(text).not.toContain('instance=');
    expect(text).toContain('command_active{command_type="OpenAccount",job="bank",otel_scope_name="@otelkit/commands"');
  });

  it('writes OpenMetrics family names without _total, floats with a dot, and # EOF', async () => {
    const reader = await recordKnownSequence();
    const text = serializePrometheus((await reader.collect()).resourceMetrics, { openMetrics: true });
    expect(text).toContain('# TYPE command_retries counter\n');
    expect(text).toMatch(/^command_retries_total\{.*\} 1\.234567e\+06$/m);
    expect(text).toMatch(/^command_duration_seconds_bucket\{.*le="1"\} 4$/m); // not "1.0": see serialize.ts
    expect(text).toMatch(/^target_info\{.*\} 1\.0$/m);
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('keeps the first of colliding families and series and drops points whose keys collide, as client_golang does', async () => {
    const reader = new PrometheusPullReader({ preventServerStart: true });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 's' }), readers: [reader] });
    const meter = provider.getMeter('m');
    meter.createCounter('jobs.done', { description: 'first' }).add(1, { k: 'v' });
    meter.createCounter('jobs_done', { description: 'second' }).add(2, { k: 'v' });
    meter.createCounter('jobs_done_', { description: 'third' }).add(3, { k: 'w' });
    meter.createGauge('jobs.done.total').record(9, { k: 'v' }); // same family name, other type: dropped
    const c = meter.createCounter('mixed');
    c.add(1, { 'a.b': 'x', a_b: 'y' }); // both keys become label a_b
    c.add(2, { 'a.b': 'z' });
    c.add(3, { a_b: 'z' }); // same labels as the previous point
    const text = serializePrometheus((await reader.collect()).resourceMetrics);
    expect(text).toContain('# HELP jobs_done_total first\n# TYPE jobs_done_total counter\n');
    expect(text.match(/^jobs_done_total\{/gm)).toHaveLength(2);
    expect(text).toContain('jobs_done_total{job="s",k="v",otel_scope_name="m",otel_scope_schema_url="",otel_scope_version=""} 1\n');
    expect(text).toContain('jobs_done_total{job="s",k="w",otel_scope_name="m",otel_scope_schema_url="",otel_scope_version=""} 3\n');
    expect(text).not.toContain('} 9');
    expect(text.match(/^mixed_total\{/gm)).toHaveLength(1);
    expect(text).toContain('mixed_total{a_b="z",job="s",otel_scope_name="m",otel_scope_schema_url="",otel_scope_version=""} 2\n');
  });
});
