// The README's demo app runs under the register entry and its metrics and spans arrive.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { expectMetric, expectSpan } from '../../test/support/expect-telemetry.ts';
import { startOtlpReceiver } from '../../test/support/otlp-receiver.ts';
import { spawnApp } from '../../test/support/spawn.ts';

it('hello serves, calls itself and exports what it did', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const run = spawnApp('app.js', {
      cwd: dirname(fileURLToPath(import.meta.url)),
      env: {
        PORT: '0',
        HELLO_REQUESTS: '2',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
      },
    });
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/hello: metrics at http:\/\/localhost:0\/metrics \(Prometheus pull\) and pushed to http:\/\/127\.0\.0\.1:\d+ \(OTLP\)/);
    await expectMetric(receiver, { name: 'hello.requests', attributes: { 'http.route': '/' }, value: 2, resource: { 'service.name': 'otelkit-example-hello' } });
    const { point } = await expectMetric(receiver, { name: 'hello.request.duration', count: 2 });
    expect(point.explicitBounds?.[0]).toBe(0.001);
    await expectSpan(receiver, { name: 'hello.request', attributes: { 'http.route': '/' } });
  } finally {
    await receiver.close();
  }
});
