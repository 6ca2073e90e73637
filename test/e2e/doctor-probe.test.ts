// `otelkit doctor` and `otelkit doctor --probe` against the real stack: the probe metric must become queryable in
// Prometheus (via the collector's prometheus exporter) and the probe span in Jaeger (via the collector's OTLP
// exporter). The failure paths are covered by test/process/cli.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from '../support/stack.ts';

const BIN = fileURLToPath(new URL('../../packages/node/dist/cli/main.js', import.meta.url));

let stack: Stack;
let app: string;

function otelkit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL'))),
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: stack.urls.otlpGrpc,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${stack.urls.otlpHttp}/v1/traces`,
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: app, env, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  stack = await startStack({ alertmanager: false, scrapeInterval: '1s' });
  app = mkdtempSync(join(tmpdir(), 'otelkit-doctor-e2e-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'doctor-e2e-app' }));
});

afterAll(async () => {
  await stack?.stop();
  if (app !== undefined) rmSync(app, { recursive: true, force: true });
});

describe('otelkit doctor against the real collector, Prometheus and Jaeger', () => {
  it('doctor: both OTLP endpoints answer a real empty export', async () => {
    const run = await otelkit(['doctor', '--json']);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as { ok: boolean; otlp: { signal: string; tcp: { ok: boolean }; export: { ok: boolean; detail: string } }[] };
    expect(report.otlp.map((o) => [o.signal, o.tcp.ok, o.export.ok, o.export.detail])).toEqual([
      ['metrics', true, true, 'empty metrics export accepted'],
      ['traces', true, true, 'empty traces export accepted'],
    ]);
    expect(report.ok).toBe(true);
    expect(run.code).toBe(0);
  });

  it('doctor --probe: the probe metric is queryable in Prometheus and the probe span in Jaeger', async () => {
    const run = await otelkit(['doctor', '--probe', '--json', '--timeout', '120', '--prometheus', stack.urls.prometheus, '--jaeger', stack.urls.jaegerQuery]);
    const report = JSON.parse(run.stdout) as { ok: boolean; probeId: string; service: string; metric: { promql: string }; steps: { step: string; ok: boolean; detail: string }[] };
    expect(report.steps.filter((s) => !s.ok), run.stdout).toEqual([]);
    expect(report.ok).toBe(true);
    expect(run.code).toBe(0);

    // Independently of the CLI: the series and the span are really there.
    const samples = await stack.promQuery(report.metric.promql);
    expect(samples).toHaveLength(1);
    expect(samples[0]?.value[1]).toBe('1');
    expect(samples[0]?.metric).toMatchObject({ job: 'otelkit-doctor', instance: report.probeId, probe_id: report.probeId });
    const traces = await waitFor(async () => {
      const t = await stack.jaegerTraces(report.service, { operation: 'otelkit doctor probe' });
      return t.length > 0 ? t : undefined;
    }, 30_000, 'the probe trace in Jaeger');
    const span = traces.flatMap((t) => t.spans).find((s) => s.tags.some((tag) => tag.key === 'probe.id' && tag.value === report.probeId));
    expect(span?.operationName).toBe('otelkit doctor probe');
  });
});
