// Pack loading from the app's package.json: discovery, allow and deny lists, namespace, core version check,
// and a pack that throws in setup being isolated while the others load and the app runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMetric, expectSpan } from '../support/expect-telemetry.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

let app: FixtureApp;
let receiver: OtlpReceiver;
beforeAll(async () => {
  app = createFixtureApp({ app: 'http', name: 'packs-fixture', packs: ['counter-pack', 'http-pack', 'throwing-pack', 'old-core-pack'] });
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  app.remove();
  await receiver.close();
});

async function run(env: Record<string, string>): Promise<{ preamble: string; lines: string[]; serviceRuns: boolean }> {
  const service = `packs-${Math.random().toString(36).slice(2)}`;
  const child = spawnApp('app.mjs', {
    cwd: app.dir,
    env: {
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      ...env,
    },
  });
  const { code } = await child.exited;
  expect(code, child.stderr()).toBe(0);
  const lines = child.otelkitLines();
  return { preamble: lines.find((l) => l.startsWith('otelkit: started')) ?? '', lines, serviceRuns: child.stdout().includes('fixture: done 3 requests') };
}

describe('discovery from package.json', () => {
  it('sets up the good packs, isolates the throwing one, refuses the wrong core range', async () => {
    const { preamble, lines, serviceRuns } = await run({ OTEL_SERVICE_NAME: 'packs-discovery' });
    expect(serviceRuns).toBe(true);
    expect(preamble).toContain('packs=[fixture-counter,fixture-http]');
    expect(preamble).toContain('otelkit-fixture-throwing-pack (failed in setup: fixture setup exploded)');
    expect(preamble).toMatch(/otelkit-fixture-old-core-pack \(supports @otelkit\/node \^9\.0\.0 but this is 0\.1\.0\)/);
    expect(lines).toContainEqual(expect.stringMatching(/^otelkit: pack otelkit-fixture-throwing-pack failed in setup: fixture setup exploded; .*\[OTELKIT_E_PACK_SETUP\]$/));
    expect(lines).toContainEqual(expect.stringMatching(/^otelkit: pack otelkit-fixture-old-core-pack supports .*\[OTELKIT_E_PACK_VERSION\]$/));
    await expectMetric(receiver, { name: 'fixture.setups', value: 1, resource: { 'service.name': 'packs-discovery' } });
    await expectSpan(receiver, { name: 'GET', kind: 2, resource: { 'service.name': 'packs-discovery' } });
  });
});

describe('OTELKIT_PACKS', () => {
  it('keeps only the listed packs (package or short name) and reports unknown names', async () => {
    const { preamble, lines } = await run({ OTELKIT_PACKS: 'otelkit-fixture-counter-pack,not-installed' });
    expect(preamble).toContain('packs=[fixture-counter]');
    expect(preamble).toContain('otelkit-fixture-http-pack (not in OTELKIT_PACKS)');
    expect(lines).toContainEqual(expect.stringMatching(/^otelkit: pack not-installed is listed in OTELKIT_PACKS but not installed.*\[OTELKIT_E_PACK_UNKNOWN\]$/));
  });

  it('none loads no pack', async () => {
    const { preamble } = await run({ OTELKIT_PACKS: 'none' });
    expect(preamble).toContain('packs=[] skipped=[]');
  });
});

describe('OTELKIT_DISABLED_PACKS', () => {
  it('skips the named packs', async () => {
    const { preamble } = await run({ OTELKIT_DISABLED_PACKS: 'otelkit-fixture-throwing-pack,otelkit-fixture-old-core-pack,otelkit-fixture-http-pack' });
    expect(preamble).toContain('packs=[fixture-counter]');
    expect(preamble).toContain('otelkit-fixture-throwing-pack (disabled by OTELKIT_DISABLED_PACKS)');
  });
});

describe('OTELKIT_METRIC_NAMESPACE', () => {
  it('prefixes pack metrics', async () => {
    await run({ OTEL_SERVICE_NAME: 'packs-namespace', OTELKIT_METRIC_NAMESPACE: 'shop', OTELKIT_PACKS: 'otelkit-fixture-counter-pack' });
    await expectMetric(receiver, { name: 'shop.fixture.setups', value: 1, resource: { 'service.name': 'packs-namespace' } });
  });
});
