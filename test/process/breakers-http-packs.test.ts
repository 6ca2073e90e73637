// The real circuit-breakers and http packs in a spawned app started with the register entry: an opossum breaker the
// app creates without any otelkit code is measured (CommonJS require and ESM import), and node:http requests get
// the stable-semconv duration metric, all exported over OTLP.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMetric } from '../support/expect-telemetry.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';
import { linkModule } from '../support/fixture-app.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;

// An app directory as a user's project looks: dependencies naming the packs, installed in node_modules.
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelkit-breakers-'));
  cpSync(join(repo, 'test', 'fixtures', 'apps', 'breakers'), dir, { recursive: true });
  const dependencies = { '@otelkit/node': '*', '@otelkit/circuit-breakers': '*', '@otelkit/http': '*', opossum: '*' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'breakers-fixture', version: '1.0.0', private: true, dependencies }));
  const link = (target: string, name: string): void => linkModule(dir, target, name);
  link(join(repo, 'packages', 'node'), '@otelkit/node');
  link(join(repo, 'packages', 'circuit-breakers'), '@otelkit/circuit-breakers');
  link(join(repo, 'packages', 'http'), '@otelkit/http');
  link(join(repo, 'packages', 'circuit-breakers', 'node_modules', 'opossum'), 'opossum');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  { kind: 'CommonJS', script: 'app.cjs', nodeArgs: ['--require', '@otelkit/node/register'] },
  { kind: 'ESM', script: 'app.mjs', nodeArgs: ['--import', '@otelkit/node/register'] },
])('$kind app', ({ script, nodeArgs }) => {
  it('exports breaker calls, fallbacks, transitions and state, and HTTP durations', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = spawnApp(script, {
        cwd: dir,
        nodeArgs,
        env: {
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
          OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        },
      });
      const { code } = await run.exited;
      expect(code, run.stderr()).toBe(0);
      expect(run.stdout()).toContain('fixture: breakers done');
      const ledger = (more: Record<string, string>): Record<string, string> => ({ 'circuit_breaker.name': 'ledger', ...more });
      await expectMetric(receiver, { name: 'circuit_breaker.calls', attributes: ledger({ 'circuit_breaker.outcome': 'success' }), value: 2 });
      await expectMetric(receiver, { name: 'circuit_breaker.calls', attributes: ledger({ 'circuit_breaker.outcome': 'failure' }), value: 1 });
      await expectMetric(receiver, { name: 'circuit_breaker.calls', attributes: ledger({ 'circuit_breaker.outcome': 'rejected' }), value: 2 });
      await expectMetric(receiver, { name: 'circuit_breaker.fallbacks', attributes: ledger({ 'circuit_breaker.outcome': 'rejected' }), value: 2 });
      await expectMetric(receiver, { name: 'circuit_breaker.transitions', attributes: ledger({ 'circuit_breaker.state': 'open' }), value: 1 });
      await expectMetric(receiver, { name: 'circuit_breaker.call.duration', attributes: ledger({ 'circuit_breaker.outcome': 'success' }), count: 2, unit: 's' });
      // shutdown() drops every state series of the breaker to 0.
      await expectMetric(receiver, { name: 'circuit_breaker.state', attributes: ledger({ 'circuit_breaker.state': 'open' }), value: 0 });
      await expectMetric(receiver, {
        name: 'http.server.request.duration',
        attributes: { 'http.request.method': 'GET', 'http.response.status_code': 500, 'error.type': '500', 'url.scheme': 'http', 'network.protocol.version': '1.1' },
        count: 1,
        unit: 's',
      });
      // otelkit's own OTLP exports run with tracing suppressed: the app's requests are measured, the exports not.
      const receiverPort = Number(new URL(receiver.httpUrl).port);
      const clientPorts = receiver.metrics
        .filter((m) => m.name === 'http.client.request.duration')
        .flatMap((m) => m.points.map((p) => Number(p.attributes['server.port'])));
      expect(clientPorts.length).toBeGreaterThan(0);
      expect(clientPorts).not.toContain(receiverPort);
      expect(receiver.spans.filter((sp) => Number(sp.attributes['server.port']) === receiverPort)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe('the scoped ESM loader hook', () => {
  // import-in-the-middle's loader (and its lexers) load only when a module in scope resolves: opossum, which the
  // circuit-breakers pack declares in its `patches`. An ESM app importing only other modules never loads it.
  const probe = (imports: string): string =>
    `${imports}\nimport { createRequire } from 'node:module';\n` +
    "const iitm = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('import-in-the-middle'));\n" +
    "console.log(`fixture: loader ${iitm.some((k) => k.endsWith('create-hook.mjs')) ? 'loaded' : 'not loaded'} ${JSON.stringify(iitm)}`);\n";

  it.each([
    { app: 'imports opossum', imports: "import CircuitBreaker from 'opossum';\nvoid CircuitBreaker;", expected: 'loaded' },
    { app: 'imports only node builtins', imports: "import { EventEmitter } from 'node:events';\nvoid EventEmitter;", expected: 'not loaded' },
  ])('an ESM app that $app: the loader is $expected', async ({ imports, expected }) => {
    writeFileSync(join(dir, 'probe.mjs'), probe(imports));
    const run = spawnApp('probe.mjs', { cwd: dir, env: { OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' } });
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toContain(`fixture: loader ${expected}`);
  });
});
