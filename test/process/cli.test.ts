import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The `otelkit` CLI as users run it: the built bin, spawned in an app directory with its own env.
const BIN = fileURLToPath(new URL('../../packages/node/dist/cli/main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function otelkit(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

let app: string;
let receiver: Server;
let receiverUrl: string;
const received: { path: string; contentType: string | undefined; auth: string | undefined }[] = [];
let prometheusStub: Server;
let prometheusStubUrl: string;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'otelkit-cli-'));
  // An app with one installed pack. The fixture pack brands its definition as definePack() does, so it needs no
  // resolvable @otelkit/node.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cli-fixture-app', dependencies: { 'fixture-pack': '1.0.0', 'not-a-pack': '1.0.0' } }));
  const pack = join(app, 'node_modules', 'fixture-pack');
  mkdirSync(pack, { recursive: true });
  writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: 'fixture-pack', version: '1.0.0', type: 'module', otelkit: { pack: './pack.js' } }));
  writeFileSync(
    join(pack, 'pack.js'),
    `export default Object.defineProperty({
      name: 'fixture', core: '>=0.1.0',
      catalog: [
        { name: 'fixture.jobs', kind: 'counter', unit: '{job}', description: 'Jobs.', attributes: [{ key: 'job.kind', values: ['a', 'b'] }] },
        { name: 'fixture.job.duration', kind: 'histogram', unit: 's', description: 'Job duration.', attributes: [] },
        { name: 'fixture.queue.fill', kind: 'up_down_counter', unit: '1', description: 'Fill.', attributes: [] },
      ],
      setup() { return { dispose() {} }; },
    }, Symbol.for('otelkit.pack'), { value: true });\n`,
  );
  const other = join(app, 'node_modules', 'not-a-pack');
  mkdirSync(other, { recursive: true });
  writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'not-a-pack', version: '1.0.0' }));

  receiver = createHttpServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  receiverUrl = await listen(receiver);
  prometheusStub = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
  });
  prometheusStubUrl = await listen(prometheusStub);
});

afterAll(async () => {
  await new Promise((r) => receiver.close(r));
  await new Promise((r) => prometheusStub.close(r));
  rmSync(app, { recursive: true, force: true });
});

describe('otelkit CLI', () => {
  it('ships the bin with a node shebang (package.json "bin": dist/cli/main.js)', () => {
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../packages/node/package.json', import.meta.url)), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ otelkit: './dist/cli/main.js' });
  });

  it('prints help and exits 0; an unknown command exits 2', async () => {
    const help = await otelkit(['--help'], app);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: otelkit <command>');
    expect(help.stdout).toContain('doctor --probe');
    const unknown = await otelkit(['frobnicate'], app);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('otelkit: unknown command "frobnicate"');
  });

  it('doctor: config with secrets redacted, packs, busy pull port, and real empty exports to answering endpoints', async () => {
    // Not HTTP: the doctor's probe request on it is cut off, so the generic "in use" message stands.
    const busy = createNetServer((socket) => socket.destroy());
    const busyPort = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      received.length = 0;
      const run = await otelkit(['doctor', '--json'], app, {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20topsecret',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(busyPort),
        OTELKIT_PROMETHEUS_AUTH: 'bearer:alsosecret',
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('topsecret');
      expect(run.stdout).not.toContain('alsosecret');
      const report = JSON.parse(run.stdout) as {
        ok: boolean;
        config: { serviceName: string; metrics: { otlp: { headers: Record<string, string>; protocol: string } } };
        packs: { package: string; status: string }[];
        prometheus: { url: string; check: { ok: boolean; detail: string } };
        otlp: { signal: string; tcp: { ok: boolean }; export: { ok: boolean; detail: string } }[];
      };
      expect(report.ok).toBe(true);
      expect(report.config.serviceName).toBe('cli-fixture-app');
      expect(report.config.metrics.otlp.headers).toEqual({ authorization: '***' });
      expect(report.packs).toEqual([{ package: 'fixture-pack', version: '1.0.0', status: 'enabled', reason: null }]);
      expect(report.prometheus.check.ok).toBe(false);
      expect(report.prometheus.check.detail).toContain('in use');
      expect(report.otlp.map((o) => [o.signal, o.tcp.ok, o.export.ok])).toEqual([['metrics', true, true], ['traces', true, true]]);
      // the exports really happened, with the configured protocol and headers
      expect(received.map((r) => r.path).sort()).toEqual(['/v1/metrics', '/v1/traces']);
      expect(received.every((r) => r.contentType === 'application/x-protobuf' && r.auth === 'Bearer topsecret')).toBe(true);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('doctor: recognises a running metrics endpoint on the pull port', async () => {
    const metricsEndpoint = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end('up 1\n'));
    const url = await listen(metricsEndpoint);
    const run = await otelkit(['doctor', '--json'], app, {
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: new URL(url).port,
    }).finally(() => new Promise((r) => metricsEndpoint.close(r)));
    const report = JSON.parse(run.stdout) as { ok: boolean; prometheus: { check: { ok: boolean; detail: string } }; otlp: unknown[] };
    expect(report.prometheus.check).toEqual({ ok: false, detail: 'in use by a running metrics endpoint (GET /metrics answers text/plain; the app itself?)' });
    expect(report.otlp).toEqual([]);
    expect(report.ok).toBe(true);
    expect(run.code).toBe(0);
  });

  it('doctor: names what failed and exits 1 when endpoints are down, packs disabled or a value is invalid', async () => {
    const closed = createNetServer();
    const closedPort = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as { port: number }).port)));
    await new Promise((r) => closed.close(r));
    const run = await otelkit(['doctor', '--timeout', '2'], app, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
      OTELKIT_DISABLED_PACKS: 'fixture',
      OTEL_METRIC_EXPORT_INTERVAL: 'soon',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`[FAIL] TCP 127.0.0.1:${closedPort}: connect ECONNREFUSED`);
    expect(run.stdout).toMatch(/fixture-pack\s+1\.0\.0\s+skipped\s+disabled by OTELKIT_DISABLED_PACKS/);
    expect(run.stdout).toContain('OTEL_METRIC_EXPORT_INTERVAL="soon" is invalid');
    expect(run.stdout).toContain('Some checks failed');
  });

  it('catalog: OTel and Prometheus names, kinds, units and attributes of installed packs and runtime metrics', async () => {
    const run = await otelkit(['catalog', '--json'], app, { OTELKIT_METRIC_NAMESPACE: 'acme' });
    expect(run.code).toBe(0);
    const { rows } = JSON.parse(run.stdout) as { rows: { source: string; otelName: string; prometheusName: string; kind: string; unit: string; attributes: string[] }[] };
    expect(rows.filter((r) => r.source === 'fixture-pack')).toEqual([
      expect.objectContaining({ otelName: 'acme.fixture.jobs', prometheusName: 'acme_fixture_jobs_total', kind: 'counter', unit: '{job}', attributes: ['job.kind (a|b)'] }),
      expect.objectContaining({ otelName: 'acme.fixture.job.duration', prometheusName: 'acme_fixture_job_duration_seconds', kind: 'histogram' }),
      expect.objectContaining({ otelName: 'acme.fixture.queue.fill', prometheusName: 'acme_fixture_queue_fill', kind: 'up_down_counter' }),
    ]);
    expect(rows).toContainEqual(expect.objectContaining({ otelName: 'process.cpu.time', prometheusName: 'process_cpu_time_seconds_total' }));
    const text = await otelkit(['catalog'], app);
    expect(text.stdout).toMatch(/fixture-pack\s+fixture\.jobs\s+fixture_jobs_total\s+counter\s+\{job\}\s+job\.kind \(a\|b\)/);
  });

  it('doctor --probe: reports each failed step and why, exit 1', async () => {
    received.length = 0;
    const run = await otelkit(['doctor', '--probe', '--json', '--timeout', '2', '--prometheus', prometheusStubUrl, '--jaeger', 'http://127.0.0.1:1'], app, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; probeId: string; steps: { step: string; ok: boolean; detail: string }[] };
    expect(report.ok).toBe(false);
    const step = (name: string) => report.steps.find((s) => s.step === name);
    expect(step('send metric (OTLP)')?.ok).toBe(true);
    expect(step('send span (OTLP)')?.ok).toBe(true);
    expect(step('query Prometheus')).toMatchObject({ ok: false });
    expect(step('query Prometheus')?.detail).toContain(`otelkit_doctor_probe_total{probe_id="${report.probeId}"} has no series in Prometheus`);
    expect(step('query Jaeger')?.ok).toBe(false);
    expect(step('query Jaeger')?.detail).toMatch(/ECONNREFUSED|fetch failed/);
    expect(received.map((r) => r.path).sort()).toEqual(['/v1/metrics', '/v1/traces']);
  });

  it('doctor --probe: a down collector fails the send steps and skips the queries', async () => {
    const run = await otelkit(['doctor', '--probe', '--timeout', '1'], app, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\[FAIL\] send metric \(OTLP\): probe metric to grpc http:\/\/127\.0\.0\.1:1 failed: /);
    expect(run.stdout).toContain('[FAIL] query Prometheus: skipped: the probe metric was not sent');
  });
});
