// A declarative config file drives a real process: exporters, endpoints, headers from ${ENV}, resource, and it
// wins over the environment. OTEL_LOG_LEVEL=debug adds the second preamble line.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectMetric, expectSpan } from '../support/expect-telemetry.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

let app: FixtureApp;
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  app = createFixtureApp({
    app: 'http',
    packs: ['http-pack'],
    files: {
      'otel.yaml': `file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: from-config-file
    - name: deployment.environment.name
      value: \${DEPLOY_ENV:-dev}
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_http:
            endpoint: ${receiver.httpUrl}/v1/metrics
            encoding: json
            headers:
              - name: x-tenant
                value: \${TENANT}
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_grpc:
            endpoint: ${receiver.grpcUrl}
`,
    },
  });
});
afterAll(async () => {
  app.remove();
  await receiver.close();
});

it('configures the process from the file, over env', async () => {
  const run = spawnApp('app.mjs', {
    cwd: app.dir,
    env: { OTEL_CONFIG_FILE: 'otel.yaml', TENANT: 'acme', OTEL_SERVICE_NAME: 'ignored-env-name', OTEL_METRICS_EXPORTER: 'console', OTEL_LOG_LEVEL: 'debug' },
  });
  const { code } = await run.exited;
  expect(code, run.stderr()).toBe(0);
  const resource = { 'service.name': 'from-config-file', 'deployment.environment.name': 'dev' };
  await expectMetric(receiver, { name: 'fixture.requests', value: 3, transport: 'http/json', resource });
  await expectSpan(receiver, { name: 'GET', transport: 'grpc', resource });
  expect(receiver.requests.some((r) => r.signal === 'metrics' && r.headers['x-tenant'] === 'acme')).toBe(true);
  const lines = run.otelkitLines();
  expect(lines.find((l) => l.startsWith('otelkit: started'))).toMatch(/service=from-config-file metrics=otlp\(http\/json .* headers=x-tenant:\*\*\*\) traces=otlp\(grpc /);
  expect(lines).toContainEqual(expect.stringMatching(/^otelkit: config .*service\.name from file config_file=otel\.yaml/));
  expect(run.stdout()).not.toContain('descriptor');
});
