// otelkit inside an app's own NodeSDK (`@otelkit/node/sdk-node`) gives the same telemetry as the register entry: one
// app run both ways, with the http pack installed, shows the same series (names, labels, app and HTTP values) on
// its pull endpoint and sends the same spans.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';
import { linkModule } from '../support/fixture-app.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;

// With SDK_MODE=1 the app starts its own NodeSDK from otelkit's options before anything else, as an
// `instrumentation.mjs` would; otherwise it runs under `--import @otelkit/node/register`.
const BOOT = `
if (process.env.SDK_MODE === '1') {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { otelkitSdk } = await import('@otelkit/node/sdk-node');
  const otelkit = otelkitSdk();
  const sdk = new NodeSDK(otelkit.options);
  sdk.start();
  await otelkit.ready;
  process.once('SIGTERM', async () => {
    await sdk.shutdown();
    await otelkit.shutdown();
    process.exit(0);
  });
}
await import('./app.mjs');
// One garbage collection in either mode, so the GC duration series exist in both (they appear with the first GC).
globalThis.gc();
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelkit-sdk-node-'));
  cpSync(join(repo, 'test', 'fixtures', 'apps', 'http'), dir, { recursive: true });
  writeFileSync(join(dir, 'boot.mjs'), BOOT);
  const dependencies = { '@otelkit/node': '*', '@otelkit/http': '*', '@opentelemetry/api': '*', '@opentelemetry/sdk-node': '*' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sdk-node-fixture', version: '1.0.0', private: true, type: 'module', dependencies }));
  const link = (target: string, name: string): void => linkModule(dir, target, name);
  link(join(repo, 'packages', 'node'), '@otelkit/node');
  link(join(repo, 'packages', 'http'), '@otelkit/http');
  link(join(repo, 'packages', 'node', 'node_modules', '@opentelemetry', 'api'), '@opentelemetry/api');
  link(join(repo, 'bench', 'node_modules', '@opentelemetry', 'sdk-node'), '@opentelemetry/sdk-node');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  series: Map<string, string>;
  spans: string[];
}

/** Series of the pull endpoint by name and labels (instance id and runtime values left out), and the spans sent. */
async function runApp(sdkMode: boolean): Promise<Run> {
  const receiver = await startOtlpReceiver();
  try {
    const run = spawnApp('boot.mjs', {
      cwd: dir,
      nodeArgs: sdkMode ? ['--expose-gc'] : ['--expose-gc', '--import', '@otelkit/node/register'],
      env: {
        ...(sdkMode ? { SDK_MODE: '1' } : {}),
        FIXTURE_STAY: 'true',
        OTEL_SERVICE_NAME: 'sdk-node-fixture',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    const [, url] = await run.waitForOutput(/prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)\)/);
    await run.waitForOutput(/fixture: done 3 requests/);
    for (let i = 0; i < 100 && receiver.spans.filter((s) => s.kind === 2).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    const body = await (await fetch(url!)).text();
    run.kill('SIGTERM');
    await run.exited;
    const series = new Map<string, string>();
    for (const line of body.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$/.exec(line);
      if (m === null) continue;
      // The instance id, the pid and the ports of the fixture's server and of the receiver differ from run to run.
      const labels = (m[2] ?? '')
        .replace(/instance="[^"]*",?/, '')
        .replace(/(server_port|process_pid)="\d+"/, '$1="*"')
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:*');
      const runtime = /^(nodejs|v8js|process|otelkit)_/.test(m[1]!) || m[1] === 'target_info';
      const duration = /_(sum|bucket)$/.test(m[1]!) && m[1]!.includes('duration');
      series.set(`${m[1]}${labels}`, runtime || duration ? '*' : m[3]!);
    }
    return { series, spans: receiver.spans.map((s) => `${s.kind}:${s.name}`).sort() };
  } finally {
    await receiver.close();
  }
}

it('an app under its own NodeSDK with otelkitSdk() options: the same series and spans as under the register entry', async () => {
  const registered = await runApp(false);
  const inSdk = await runApp(true);
  expect(registered.series.get('fixture_requests_total{fixture_route="/hello",job="sdk-node-fixture",otel_scope_name="fixture",otel_scope_schema_url="",otel_scope_version=""}')).toBe('3');
  expect([...registered.series.keys()].some((k) => k.startsWith('http_server_request_duration_seconds_count{'))).toBe(true);
  // Which kinds of GC ran (minor, major, ...) depends on allocation timing, not on the telemetry setup: the GC series
  // are compared by the forced major GC both runs have, every other series exactly.
  const gc = (key: string): boolean => key.startsWith('v8js_gc_duration_seconds');
  const major = 'v8js_gc_duration_seconds_count{job="sdk-node-fixture",otel_scope_name="@otelkit/node",otel_scope_schema_url="",otel_scope_version="0.1.0",v8js_gc_type="major"}';
  expect(registered.series.has(major)).toBe(true);
  expect(inSdk.series.has(major)).toBe(true);
  for (const run of [registered, inSdk]) for (const key of [...run.series.keys()]) if (gc(key)) run.series.delete(key);
  expect([...inSdk.series.keys()].sort()).toEqual([...registered.series.keys()].sort());
  for (const [key, value] of registered.series) expect(inSdk.series.get(key), key).toBe(value);
  expect(inSdk.spans).toEqual(registered.spans);
  expect(registered.spans.filter((s) => s.startsWith('2:')).length).toBe(3);
});
