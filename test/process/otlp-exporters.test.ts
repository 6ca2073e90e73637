// OTEL_EXPORTER_OTLP_* per signal: protocol, endpoint, headers, compression; plus otelkit's own export counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMetric, expectSpan, spansMatching } from '../support/expect-telemetry.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

let app: FixtureApp;
let receiver: OtlpReceiver;
beforeAll(async () => {
  app = createFixtureApp({ app: 'http', name: 'otlp-fixture', packs: ['http-pack'] });
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  app.remove();
  await receiver.close();
});

async function run(env: Record<string, string>): Promise<string[]> {
  const child = spawnApp('app.mjs', { cwd: app.dir, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env } });
  const { code } = await child.exited;
  expect(code, child.stderr()).toBe(0);
  return child.otelkitLines();
}

describe('per-signal protocol, headers and compression', () => {
  it('metrics over OTLP/HTTP JSON and traces over gRPC, gzip, with headers sent but never printed', async () => {
    const lines = await run({
      OTEL_SERVICE_NAME: 'otlp-json-grpc',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.httpUrl}/v1/metrics`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.grpcUrl,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t-value',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    await expectMetric(receiver, { name: 'fixture.requests', value: 3, transport: 'http/json', resource: { 'service.name': 'otlp-json-grpc' } });
    await expectSpan(receiver, { name: 'GET', transport: 'grpc', resource: { 'service.name': 'otlp-json-grpc' } });
    const sent = receiver.requests.filter((r) => r.headers['x-api-key'] === 's3cr3t-value').map((r) => `${r.signal}:${r.transport}`);
    expect(new Set(sent)).toEqual(new Set(['metrics:http/json', 'traces:grpc']));
    const preamble = lines.find((l) => l.startsWith('otelkit: started')) ?? '';
    expect(preamble).toContain(`metrics=otlp(http/json ${receiver.httpUrl}/v1/metrics gzip headers=x-api-key:***)`);
    expect(preamble).toContain(`traces=otlp(grpc ${receiver.grpcUrl} gzip headers=x-api-key:***)`);
    expect(lines.join('\n')).not.toContain('s3cr3t-value');
  });

  it('a base OTEL_EXPORTER_OTLP_ENDPOINT with http/protobuf gets /v1/<signal> appended', async () => {
    await run({ OTEL_SERVICE_NAME: 'otlp-base', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
    await expectMetric(receiver, { name: 'fixture.requests', value: 3, transport: 'http/protobuf', resource: { 'service.name': 'otlp-base' } });
    await expectSpan(receiver, { name: 'GET', transport: 'http/protobuf', resource: { 'service.name': 'otlp-base' } });
  });
});

describe('self-telemetry', () => {
  it('counts successful exports per signal and exporter as otelkit.exports', async () => {
    await run({ OTEL_SERVICE_NAME: 'otlp-self', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces` });
    const { point } = await expectMetric(receiver, {
      name: 'otelkit.exports',
      attributes: { 'otelkit.signal': 'traces', 'otelkit.outcome': 'success', 'otelkit.exporter': `otlp(http ${receiver.httpUrl}/v1/traces)` },
      resource: { 'service.name': 'otlp-self' },
    });
    expect(point.value).toBeGreaterThanOrEqual(1);
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  it('exports nothing and says so once', async () => {
    const before = receiver.requests.length;
    const lines = await run({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces` });
    expect(lines).toEqual([expect.stringMatching(/^otelkit: disabled/)]);
    expect(receiver.requests.length).toBe(before);
  });
});

describe('OTEL_TRACES_SAMPLER=always_off', () => {
  it('samples no spans while metrics still flow', async () => {
    await run({
      OTEL_SERVICE_NAME: 'otlp-sampler-off',
      OTEL_TRACES_SAMPLER: 'always_off',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
    });
    await expectMetric(receiver, { name: 'fixture.requests', value: 3, resource: { 'service.name': 'otlp-sampler-off' } });
    expect(receiver.spans.filter((s) => s.resource['service.name'] === 'otlp-sampler-off')).toEqual([]);
  });
});

describe('OTEL_BSP_* (batch span processor)', () => {
  let spansApp: FixtureApp;
  beforeAll(() => {
    spansApp = createFixtureApp({ app: 'spans', name: 'bsp-fixture' });
  });
  afterAll(() => spansApp.remove());

  it('OTEL_BSP_SCHEDULE_DELAY=200 exports ended spans while the app is still running, not only in the shutdown flush', async () => {
    const run = spawnApp('app.mjs', {
      cwd: spansApp.dir,
      env: { FIXTURE_SPANS: '3', OTEL_SERVICE_NAME: 'otlp-bsp-delay', OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces` },
    });
    try {
      await run.waitForOutput(/fixture: ended 3 spans/);
      // The app idles until signalled. With the 5 s default the batch would still be waiting when this wait gives up
      // (4 s after the spans ended), so the spans would first leave in the flush that the signal below triggers.
      await expectSpan(receiver, { name: 'fixture.work', resource: { 'service.name': 'otlp-bsp-delay' } }, 4000);
      expect(run.child.exitCode, run.stderr()).toBeNull();
      expect(run.child.signalCode).toBeNull();
    } finally {
      run.kill('SIGTERM');
    }
    expect(await run.exited, run.stderr()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(spansMatching(receiver, { name: 'fixture.work', resource: { 'service.name': 'otlp-bsp-delay' } })).toHaveLength(3);
    expect(run.otelkitLines().filter((l) => /OTEL_BSP|BatchSpanProcessor|maxExportBatchSize/.test(l))).toEqual([]);
  });

  it('a batch size above the queue size is one otelkit: line, no SDK warning; OTELKIT_STRICT=true exits with code 1', async () => {
    const env = { FIXTURE_SPANS: '1', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096', OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'console' };
    const run = spawnApp('app.mjs', { cwd: spansApp.dir, env });
    try {
      await run.waitForOutput(/fixture: ended 1 spans/);
    } finally {
      run.kill('SIGTERM');
    }
    await run.exited;
    const lines = run.otelkitLines().filter((l) => /OTEL_BSP|BatchSpanProcessor|maxExportBatchSize/.test(l));
    expect(lines).toEqual([expect.stringMatching(/^otelkit: OTEL_BSP_MAX_EXPORT_BATCH_SIZE="4096" is invalid: expected at most the max queue size \(100\); using 100 \[OTELKIT_E_ENV_VALUE\]$/)]);

    const strict = spawnApp('app.mjs', { cwd: spansApp.dir, env: { ...env, OTELKIT_STRICT: 'true' } });
    const { code } = await strict.exited;
    expect(code, strict.stderr()).toBe(1);
    expect(strict.stdout()).not.toContain('fixture: ended');
    expect(strict.otelkitLines().at(-1)).toMatch(/OTELKIT_STRICT=true .* exiting with code 1 \[OTELKIT_E_STRICT\]/);
  });
});
