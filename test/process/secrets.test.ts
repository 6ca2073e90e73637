// Credentials in endpoint URLs and headers never reach a line otelkit prints: the startup preamble and the debug
// lines, export warnings, configuration problems, `otelkit doctor` (text and --json). Every byte the app and the CLI
// print is searched for each secret, and the endpoints must have been printed (redacted) for the search to count.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

const BIN = fileURLToPath(new URL('../../packages/node/dist/cli/main.js', import.meta.url));
const PASSWORD = 'pw-7f3a9c1e';
const TOKEN = 'tok-52be0d84';
const HEADER = 'hdr-c0ffee11';
const SECRETS = [PASSWORD, TOKEN, HEADER];

const APP = `import { metrics, trace } from '@opentelemetry/api';
trace.getTracer('secrets').startSpan('secrets.work').end();
metrics.getMeter('secrets').createCounter('secrets.items').add(1);
console.log('fixture: ready');
setInterval(() => {}, 1000);
`;

let app: FixtureApp;
let receiver: OtlpReceiver;
let closed: number;

beforeAll(async () => {
  app = createFixtureApp({ app: 'spans', name: 'secrets-fixture', files: { 'app.mjs': APP } });
  receiver = await startOtlpReceiver();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closed = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await receiver.close();
  app.remove();
});

const withCredentials = (url: string, user = 'otel'): string => url.replace('http://', `http://${user}:${PASSWORD}@`);

/** Working endpoints with a password in the URL, a token in the query and a secret header. */
function reachable(): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: withCredentials(receiver.grpcUrl),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${withCredentials(receiver.httpUrl)}/v1/traces`,
    OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${HEADER}`,
    OTEL_METRICS_EXPORTER: 'otlp',
  };
}

/** Endpoints nothing listens on (export warnings) and an invalid one (a configuration problem), all with secrets. */
function unreachable(): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: withCredentials(`http://127.0.0.1:${closed}`, TOKEN),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `ftp://otel:${PASSWORD}@127.0.0.1:${closed}/v1/traces?token=${TOKEN}`,
    OTEL_EXPORTER_OTLP_METRICS_HEADERS: `authorization=Bearer%20${HEADER}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '300',
    OTEL_METRICS_EXPORTER: 'otlp',
  };
}

async function runApp(env: Record<string, string>, until: RegExp): Promise<string> {
  const run = spawnApp('app.mjs', {
    cwd: app.dir,
    env: { OTEL_LOG_LEVEL: 'debug', OTEL_METRIC_EXPORT_INTERVAL: '200', OTEL_BSP_SCHEDULE_DELAY: '50', OTELKIT_SHUTDOWN_TIMEOUT_MS: '1000', ...env },
  });
  await run.waitForOutput(until, 30_000);
  run.kill('SIGTERM');
  await run.exited;
  return run.stdout() + run.stderr();
}

function doctor(env: Record<string, string>, json: boolean, args: string[] = ['--timeout', '2']): Promise<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'doctor', ...args, ...(json ? ['--json'] : [])], { cwd: app.dir, env: { ...clean, ...env }, timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve(stdout + stderr),
    );
  });
}

function expectNoSecret(output: string): void {
  for (const secret of SECRETS) {
    const leaks = output.split('\n').filter((line) => line.includes(secret));
    expect(leaks, `lines printing ${secret}`).toEqual([]);
  }
}

describe('secrets in endpoints and headers', () => {
  it('the app at debug level, exporting successfully, prints none of them', async () => {
    const output = await runApp(reachable(), /otelkit: started/);
    await receiver.waitFor((r) => r.spans.some((s) => s.name === 'secrets.work') && r.metrics.some((m) => m.name === 'secrets.items'), 'the span and the metric');
    expect(output).toContain(`metrics=otlp(grpc http://***@127.0.0.1:`);
    expect(output).toContain('headers=x-api-key:***');
    expectNoSecret(output);
  });

  it('the app at debug level, failing to export and with an invalid endpoint, prints none of them', async () => {
    const output = await runApp(unreachable(), /otelkit: metrics export to .*OTELKIT_E_EXPORT/);
    expect(output).toMatch(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="ftp:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\/traces\?token=\*\*\*" is invalid/);
    expect(output).toContain(`metrics export to otlp(grpc http://***@127.0.0.1:${closed})`);
    expectNoSecret(output);
  });

  it('otelkit doctor, text and --json, for both setups', async () => {
    const outputs = await Promise.all([doctor(reachable(), false), doctor(reachable(), true), doctor(unreachable(), false), doctor(unreachable(), true)]);
    expect(outputs[0]).toContain('metrics grpc http://***@127.0.0.1:');
    expect(outputs[2]).toContain(`traces http/protobuf http://***@127.0.0.1:${closed}/v1/traces`);
    for (const output of outputs) expectNoSecret(output);
  });

  it('otelkit doctor --probe, with credentials in the Prometheus and Jaeger URLs too', async () => {
    const backends = ['--probe', '--timeout', '1', '--prometheus', withCredentials(`http://127.0.0.1:${closed}`), '--jaeger', withCredentials(`http://127.0.0.1:${closed}`, TOKEN)];
    const outputs = await Promise.all([doctor(reachable(), false, backends), doctor(reachable(), true, backends)]);
    expect(outputs[0]).toContain('probe metric sent to grpc http://***@127.0.0.1:');
    expect(outputs[0]).toMatch(/query Prometheus: .*http:\/\/\*\*\*@127\.0\.0\.1/);
    for (const output of outputs) expectNoSecret(output);
  });
});
