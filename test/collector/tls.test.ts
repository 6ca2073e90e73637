// TLS and mTLS to a real OpenTelemetry Collector (built from collector/builder-config.yaml): its OTLP receiver
// serves gRPC and HTTP over TLS only, with a CA, server and client certificate made here by openssl. The collector
// forwards what it accepts to a local plaintext OTLP receiver, so arrival there proves the app's TLS connection
// was accepted. A wrong CA or a missing client certificate must cost a warning line, never a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ensureCollector } from '../../scripts/stack/backends.mjs';
import { createTestPki, type TestPki } from '../support/certificates.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp, type RunningApp } from '../support/spawn.ts';

const APP = `import { metrics, trace } from '@opentelemetry/api';
const tracer = trace.getTracer('tls-fixture');
const counter = metrics.getMeter('tls-fixture').createCounter('tls.fixture.items', { unit: '{item}' });
for (let i = 0; i < 5; i++) {
  tracer.startSpan('tls.fixture.work').end();
  counter.add(1);
}
console.log('fixture: ready');
setInterval(() => {}, 1000);
`;

const scratch = mkdtempSync(join(tmpdir(), 'otelkit-tls-e2e-'));
let otelcol: string;
let pki: TestPki;
let receiver: OtlpReceiver;
let app: FixtureApp;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Collector {
  readonly grpc: string;
  readonly http: string;
  log(): string;
  stop(): Promise<void>;
}

/** Starts the built collector with a TLS-only OTLP receiver (mTLS when `clientCa`) and waits until it is healthy. */
async function startCollector(name: string, clientCa?: string): Promise<Collector> {
  const [grpcPort, httpPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const tls = { cert_file: pki.serverCert, key_file: pki.serverKey, ...(clientCa === undefined ? {} : { client_ca_file: clientCa }) };
  const config = {
    extensions: { health_check: { endpoint: `127.0.0.1:${healthPort}` } },
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}`, tls }, http: { endpoint: `127.0.0.1:${httpPort}`, tls } } } },
    exporters: { otlp_grpc: { endpoint: receiver.grpcUrl.replace('http://', ''), tls: { insecure: true } } },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { level: 'none' } },
      pipelines: { traces: { receivers: ['otlp'], exporters: ['otlp_grpc'] }, metrics: { receivers: ['otlp'], exporters: ['otlp_grpc'] } },
    },
  };
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, stringify(config));
  let log = '';
  const child: ChildProcess = spawn(otelcol, [`--config=${file}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const healthy = await fetch(`http://127.0.0.1:${healthPort}/`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`collector ${name} did not become healthy:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    grpc: `https://127.0.0.1:${grpcPort}`,
    http: `https://127.0.0.1:${httpPort}`,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function run(service: string, env: Record<string, string>): RunningApp {
  return spawnApp('app.mjs', {
    cwd: app.dir,
    env: {
      OTEL_SERVICE_NAME: service,
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTELKIT_SHUTDOWN_TIMEOUT_MS: '3000',
      ...env,
    },
  });
}

const arrived = (service: string) => ({
  spans: receiver.spans.filter((s) => s.resource['service.name'] === service && s.name === 'tls.fixture.work').length,
  metrics: receiver.metrics.filter((m) => m.resource['service.name'] === service && m.name === 'tls.fixture.items').length,
});

async function expectDelivered(service: string, env: Record<string, string>): Promise<string[]> {
  const app = run(service, env);
  try {
    await receiver.waitFor(
      () => {
        const a = arrived(service);
        return a.spans >= 5 && a.metrics > 0;
      },
      `spans and metrics of ${service}; app stderr: ${app.stderr()}`,
      30_000,
    );
  } finally {
    app.kill('SIGTERM');
  }
  const exit = await app.exited;
  expect(exit.signal, app.stderr()).toBe('SIGTERM');
  expect(app.stderr()).not.toMatch(/OTELKIT_E_|Unhandled|TypeError/);
  return app.otelkitLines();
}

/** Runs the app against a collector that must refuse it: what did it print, and did it exit as asked? */
async function expectRefused(service: string, env: Record<string, string>, pattern: RegExp): Promise<string[]> {
  const app = run(service, env);
  await app.waitForOutput(/fixture: ready/);
  await app.waitForOutput(pattern, 30_000);
  app.kill('SIGTERM');
  const exit = await app.exited;
  expect(exit.signal, app.stderr()).toBe('SIGTERM');
  expect(app.stderr()).not.toMatch(/Unhandled|TypeError|\n\s+at /);
  expect(arrived(service)).toEqual({ spans: 0, metrics: 0 });
  return app.otelkitLines();
}

beforeAll(async () => {
  otelcol = await ensureCollector();
  mkdirSync(join(scratch, 'pki'));
  pki = createTestPki(join(scratch, 'pki'));
  receiver = await startOtlpReceiver();
  app = createFixtureApp({ app: 'spans', name: 'tls-fixture', files: { 'app.mjs': APP } });
}, 30 * 60_000);

afterAll(async () => {
  await receiver?.close();
  app?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a TLS collector with a private CA', () => {
  let collector: Collector;
  beforeAll(async () => {
    collector = await startCollector('tls');
  });
  afterAll(() => collector?.stop());

  it('metrics over gRPC and spans over HTTP arrive with OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    const lines = await expectDelivered('tls-grpc-metrics', {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: collector.grpc,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.http}/v1/traces`,
      OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca,
    });
    const started = lines.find((l) => l.startsWith('otelkit: started')) ?? '';
    expect(started).toContain(`metrics=otlp(grpc ${collector.grpc} tls(ca=${pki.ca}))`);
    expect(started).toContain(`traces=otlp(http ${collector.http}/v1/traces tls(ca=${pki.ca}))`);
  });

  it('metrics over HTTP and spans over gRPC arrive with the CA from the config file', async () => {
    const file = join(scratch, 'otelkit.yaml');
    writeFileSync(
      file,
      stringify({
        file_format: '1.0',
        meter_provider: { readers: [{ periodic: { interval: 500, exporter: { otlp_http: { endpoint: `${collector.http}/v1/metrics`, tls: { certificate_file: pki.ca } } } } }] },
        tracer_provider: { processors: [{ batch: { schedule_delay: 100, exporter: { otlp_grpc: { endpoint: collector.grpc, tls: { certificate_file: pki.ca } } } } }] },
      }),
    );
    await expectDelivered('tls-http-metrics', { OTEL_CONFIG_FILE: file });
  });

  it('a CA that did not sign the server certificate: rate-limited export warnings, no crash, nothing delivered', async () => {
    const lines = await expectRefused(
      'tls-wrong-ca',
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: collector.grpc, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.http}/v1/traces`, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.otherCa },
      /otelkit: traces export .*OTELKIT_E_EXPORT/,
    );
    expect(lines.filter((l) => l.includes('OTELKIT_E_EXPORT')).length).toBeLessThanOrEqual(2);
  });

  it('a CA path that does not exist: one line naming the variable, and no plaintext attempt', async () => {
    const lines = await expectRefused(
      'tls-missing-ca',
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.http, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_CERTIFICATE: join(scratch, 'nope.pem') },
      /otelkit: started/,
    );
    expect(lines.filter((l) => l.includes('OTELKIT_E_TLS'))).toEqual([
      `otelkit: OTEL_EXPORTER_OTLP_CERTIFICATE="${join(scratch, 'nope.pem')}" is invalid: expected a readable PEM file (ENOENT); the OTLP metrics and traces exporters are disabled rather than connecting without it [OTELKIT_E_TLS]`,
    ]);
    expect(lines.find((l) => l.startsWith('otelkit: started'))).toContain('metrics=none traces=none');
  });
});

describe('an mTLS collector (client_ca_file)', () => {
  let collector: Collector;
  beforeAll(async () => {
    collector = await startCollector('mtls', pki.ca);
  });
  afterAll(() => collector?.stop());

  it('accepts the client certificate over gRPC and HTTP', async () => {
    const lines = await expectDelivered('mtls-client', {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: collector.grpc,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.http}/v1/traces`,
      OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert,
    });
    expect(lines.find((l) => l.startsWith('otelkit: started'))).toContain('mtls))');
    // The key's path may be printed; its contents never.
    const key = readFileSync(pki.clientKey, 'utf8').split('\n')[1] ?? '';
    expect(lines.join('\n')).not.toContain(key);
  });

  it('refuses an app without a client certificate: a warning line, no crash', async () => {
    await expectRefused(
      'mtls-no-client-cert',
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: collector.grpc, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.http}/v1/traces`, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca },
      /otelkit: (traces|metrics) export .*OTELKIT_E_EXPORT/,
    );
  });
});
