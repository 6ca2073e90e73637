// Failure never reaches the app: an unreachable collector, a taken pull port and bad configuration each cost
// at most a line of output, and the app runs to completion. OTELKIT_STRICT=true turns bad configuration into exit 1.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMetric } from '../support/expect-telemetry.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

let app: FixtureApp;
beforeAll(() => {
  app = createFixtureApp({ app: 'http', name: 'failure-fixture', packs: ['http-pack'] });
});
afterAll(() => app.remove());

/** A port nothing listens on: bound, noted, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('collector unreachable', () => {
  it('no crash, no unhandled rejection, at most one warning per exporter per minute', async () => {
    const port = await closedPort();
    const run = spawnApp('app.mjs', {
      cwd: app.dir,
      env: {
        FIXTURE_REQUESTS: '40',
        FIXTURE_STAY: 'true',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
        OTEL_METRIC_EXPORT_INTERVAL: '100',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTELKIT_SHUTDOWN_TIMEOUT_MS: '2000',
      },
    });
    await run.waitForOutput(/fixture: done 40 requests/);
    // Let many export intervals fail before stopping the app.
    await run.waitForOutput(/otelkit: metrics export/);
    await new Promise((r) => setTimeout(r, 1500));
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.signal, run.stderr()).toBe('SIGTERM');
    const stderr = run.stderr();
    expect(stderr).not.toMatch(/Unhandled|UnhandledPromiseRejection|TypeError|at .*\(node:/);
    const lines = run.otelkitLines();
    expect(lines.filter((l) => l.includes('metrics export'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('traces export to otlp(http'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('OTELKIT_E_EXPORT'))).toHaveLength(2);
    // Everything else otelkit printed: the preamble and, at most, one note that the final flush timed out.
    expect(lines.filter((l) => !l.includes('OTELKIT_E_EXPORT') && !l.startsWith('otelkit: started') && !l.includes('OTELKIT_E_SHUTDOWN_TIMEOUT'))).toEqual([]);
  });
});

// The warning budget under span load: the batch processor's queue overflows for seconds while the collector
// refuses connections. At most one line per exporter per minute, plus the summed drop line (the first drop at
// once, the rest at shutdown, each with its count), and none of the SDK's own "Dropped N spans" lines.
const FLOOD = [
  "import { trace } from '@opentelemetry/api';",
  "const tracer = trace.getTracer('fixture');",
  'let bursts = 0;',
  'const flood = setInterval(() => {',
  // bursts of different sizes, so the SDK's own drop warnings would differ in their counts
  "  for (let i = 0; i < 300 + bursts * 7; i++) tracer.startSpan('fixture.flood').end();",
  '  if (++bursts < 40) return;',
  '  clearInterval(flood);',
  "  console.log('fixture: flood done');",
  '}, 25);',
  'setInterval(() => {}, 1000);',
].join('\n');

describe('collector refusing under span load', () => {
  it('keeps the warning budget: one line per exporter, the drops summed, no SDK drop lines', async () => {
    const flood = createFixtureApp({ app: 'spans', files: { 'flood.mjs': FLOOD } });
    const port = await closedPort();
    try {
      const run = spawnApp('flood.mjs', {
        cwd: flood.dir,
        env: {
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
          OTEL_EXPORTER_OTLP_TIMEOUT: '300',
          OTEL_METRIC_EXPORT_INTERVAL: '200',
          OTEL_BSP_SCHEDULE_DELAY: '50',
          OTEL_BSP_MAX_QUEUE_SIZE: '64',
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '32',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: '0',
          OTELKIT_SHUTDOWN_TIMEOUT_MS: '2000',
        },
      });
      const [, metricsUrl] = await run.waitForOutput(/prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)\)/);
      await run.waitForOutput(/fixture: flood done/);
      const exposition = await (await fetch(metricsUrl as string)).text();
      const dropped = Number(/^otelkit_spans_dropped_total\{[^}]*otelkit_reason="queue_full"[^}]*\} (\d+)$/m.exec(exposition)?.[1]);
      expect(dropped).toBeGreaterThan(0);
      run.kill('SIGTERM');
      expect((await run.exited).signal, run.stderr()).toBe('SIGTERM');

      const lines = run.otelkitLines();
      expect(lines.filter((l) => l.includes('[otel '))).toEqual([]);
      expect(lines.filter((l) => l.includes('traces export to otlp'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('metrics export to otlp')).length).toBeLessThanOrEqual(1);
      const dropLines = lines.filter((l) => l.includes('dropped because the trace export queue was full'));
      expect(dropLines.length).toBeGreaterThanOrEqual(1);
      expect(dropLines.length).toBeLessThanOrEqual(2);
      // The lines' counts add up to exactly what otelkit.spans.dropped counted.
      expect(dropLines.map((l) => Number(/^otelkit: (\d+) span\(s\) dropped/.exec(l)?.[1])).reduce((a, b) => a + b, 0)).toBe(dropped);
      expect(lines.filter((l) => !/traces export to otlp|metrics export to otlp|trace export queue was full|^otelkit: started|OTELKIT_E_SHUTDOWN_TIMEOUT/.test(l))).toEqual([]);
    } finally {
      flood.remove();
    }
  });
});

describe('Prometheus port taken', () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('logs one warning and OTLP keeps working', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = spawnApp('app.mjs', {
        cwd: app.dir,
        env: {
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        },
      });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      const portLines = run.otelkitLines().filter((l) => l.includes(`:${port}`) && l.includes('already in use') && l.endsWith('[OTELKIT_E_PROMETHEUS_LISTEN]'));
      expect(portLines).toHaveLength(1);
      await expectMetric(receiver, { name: 'fixture.requests', value: 3 });
      expect(run.otelkitLines().find((l) => l.startsWith('otelkit: started'))).toContain('not listening');
    } finally {
      await receiver.close();
    }
  });
});

describe('bad configuration values', () => {
  const bad = {
    OTEL_METRIC_EXPORT_INTERVAL: 'often',
    OTEL_TRACES_SAMPLER: 'sometimes',
    OTEL_EXPORTER_PROMETHEUS_PORT: 'ninety',
    OTELKIT_PROMETHEUS_AUTH: 'token-without-scheme',
  };

  it('each gives one line naming the variable, the value and the fallback; the app runs', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = spawnApp('app.mjs', {
        cwd: app.dir,
        env: { ...bad, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces` },
      });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(run.stdout()).toContain('fixture: done 3 requests');
      const lines = run.otelkitLines().filter((l) => l.includes('OTELKIT_E_ENV_VALUE'));
      expect(lines).toHaveLength(4);
      expect(lines).toContainEqual(expect.stringMatching(/^otelkit: OTEL_METRIC_EXPORT_INTERVAL="often" is invalid: .*; using 60000/));
      expect(lines).toContainEqual(expect.stringMatching(/^otelkit: OTEL_TRACES_SAMPLER="sometimes" is invalid: .*; using parentbased_always_on/));
      expect(lines).toContainEqual(expect.stringMatching(/^otelkit: OTEL_EXPORTER_PROMETHEUS_PORT="ninety" is invalid: .*; using 9464/));
      expect(lines).toContainEqual(expect.stringMatching(/^otelkit: OTELKIT_PROMETHEUS_AUTH="\*\*\*" is invalid: .*not started/));
      expect(run.stderr()).not.toContain('token-without-scheme');
      await expectMetric(receiver, { name: 'fixture.requests', value: 3 });
    } finally {
      await receiver.close();
    }
  });

  it('with OTELKIT_STRICT=true: the same lines, then exit code 1', async () => {
    const run = spawnApp('app.mjs', { cwd: app.dir, env: { ...bad, OTELKIT_STRICT: 'true' } });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stdout()).not.toContain('fixture: done');
    const lines = run.otelkitLines();
    expect(lines.filter((l) => l.includes('OTELKIT_E_ENV_VALUE'))).toHaveLength(4);
    expect(lines.at(-1)).toMatch(/OTELKIT_STRICT=true .* exiting with code 1 \[OTELKIT_E_STRICT\]/);
  });

  it('a variable the OTLP exporter parses again still gives one line', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = spawnApp('app.mjs', {
        cwd: app.dir,
        env: {
          OTEL_EXPORTER_OTLP_TIMEOUT: 'abc',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-team=core,garbage',
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
          OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        },
      });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      await expectMetric(receiver, { name: 'fixture.requests', value: 3 });
      expect(run.otelkitLines().filter((l) => l.includes('OTEL_EXPORTER_OTLP_TIMEOUT'))).toHaveLength(1);
      expect(run.otelkitLines().filter((l) => l.includes('OTEL_EXPORTER_OTLP_HEADERS'))).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('a broken OTEL_CONFIG_FILE is one line and the app runs', async () => {
    const run = spawnApp('app.mjs', {
      cwd: app.dir,
      env: { OTEL_CONFIG_FILE: 'does-not-exist.yaml', OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' },
    });
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    const lines = run.otelkitLines().filter((l) => l.includes('OTELKIT_E_CONFIG_FILE'));
    expect(lines).toEqual([expect.stringMatching(/^otelkit: OTEL_CONFIG_FILE="does-not-exist.yaml" is invalid: .*the file is ignored/)]);
  });
});
