// Dual export: the pull endpoint and OTLP report the same numbers from one aggregation; the opt-in credential
// protects the endpoint.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectMetric } from '../support/expect-telemetry.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

let app: FixtureApp;
beforeAll(() => {
  app = createFixtureApp({ app: 'http', name: 'pull-fixture' });
});
afterAll(() => app.remove());

it('serves the app metric behind OTELKIT_PROMETHEUS_AUTH, with the value OTLP receives', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const run = spawnApp('app.mjs', {
      cwd: app.dir,
      env: {
        FIXTURE_STAY: 'true',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTELKIT_PROMETHEUS_AUTH: 'bearer:scrape-token',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
        OTEL_TRACES_EXPORTER: 'none',
      },
    });
    const [, url] = await run.waitForOutput(/prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics) auth=bearer\)/);
    await run.waitForOutput(/fixture: done 3 requests/);
    expect(run.stderr()).not.toContain('scrape-token');

    expect((await fetch(url!)).status).toBe(401);
    expect((await fetch(url!, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(url!, { headers: { authorization: 'Bearer scrape-token' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toMatch(/^fixture_requests_total\{.*fixture_route="\/hello".*\} 3$/m);

    run.kill('SIGTERM');
    await run.exited;
    await expectMetric(receiver, { name: 'fixture.requests', attributes: { 'fixture.route': '/hello' }, value: 3 });
  } finally {
    await receiver.close();
  }
});
