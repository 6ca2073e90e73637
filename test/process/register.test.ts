// The one-flag bootstrap: ESM, CommonJS and TypeScript apps started with the register entry are instrumented
// (node:http spans through a pack), their metrics and spans reach OTLP, and the entry is safe to load twice and
// inert in worker threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMetric, expectSpan } from '../support/expect-telemetry.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

const SERVER = 2;
const CLIENT = 3;

let app: FixtureApp;
beforeAll(() => {
  app = createFixtureApp({ app: 'http', name: 'register-fixture', packs: ['http-pack'] });
});
afterAll(() => app.remove());

function env(receiver: OtlpReceiver): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
  };
}

describe.each([
  { kind: 'ESM', script: 'app.mjs', nodeArgs: ['--import', '@otelkit/node/register'] },
  { kind: 'CommonJS', script: 'app.cjs', nodeArgs: ['--require', '@otelkit/node/register'] },
  { kind: 'TypeScript (type stripping)', script: 'app.ts', nodeArgs: ['--import', '@otelkit/node/register'] },
])('$kind app', ({ script, nodeArgs }) => {
  it('exports the app metric and node:http server and client spans', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = spawnApp(script, { cwd: app.dir, nodeArgs, env: env(receiver) });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(run.stdout()).toContain('fixture: done 3 requests');
      await expectMetric(receiver, {
        name: 'fixture.requests',
        attributes: { 'fixture.route': '/hello' },
        value: 3,
        transport: 'grpc',
        resource: { 'service.name': 'register-fixture' },
      });
      const server = await expectSpan(receiver, { name: 'GET', kind: SERVER, transport: 'http/protobuf' });
      expect(server.attributes['http.response.status_code']).toBe(200);
      const client = await expectSpan(receiver, { name: 'GET', kind: CLIENT });
      expect(server.traceId).toBe(client.traceId);
      expect(server.parentSpanId).toBe(client.spanId);
      expect(run.otelkitLines().filter((l) => l.startsWith('otelkit: started'))).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});

describe('register entry', () => {
  it('is harmless when loaded twice (ESM and CommonJS entries, plus an import from the app)', async () => {
    const receiver = await startOtlpReceiver();
    const twice = createFixtureApp({
      app: 'http',
      name: 'twice-fixture',
      files: { 'twice.mjs': "import '@otelkit/node/register';\nimport './app.mjs';\n" },
    });
    try {
      const run = spawnApp('twice.mjs', {
        cwd: twice.dir,
        nodeArgs: ['--import', '@otelkit/node/register', '--require', '@otelkit/node/register'],
        env: env(receiver),
      });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(run.otelkitLines().filter((l) => l.startsWith('otelkit: started'))).toHaveLength(1);
      await expectMetric(receiver, { name: 'fixture.requests', value: 3 });
      // One SDK: every export of the app metric carries the same cumulative series, never a doubled one.
      const values = receiver.metrics.filter((m) => m.name === 'fixture.requests').flatMap((m) => m.points.map((p) => p.value));
      expect(Math.max(...values.map(Number))).toBe(3);
    } finally {
      twice.remove();
      await receiver.close();
    }
  });

  it('is inert in worker threads', async () => {
    const worker = createFixtureApp({ app: 'worker' });
    try {
      const run = spawnApp('app.mjs', { cwd: worker.dir, env: { OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' } });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(run.stdout()).toContain('fixture: worker {"handle":"none","global":"none"}');
      expect(run.otelkitLines().filter((l) => l.startsWith('otelkit: started'))).toHaveLength(1);
    } finally {
      worker.remove();
    }
  });
});
