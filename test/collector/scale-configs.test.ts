// collector/agent.yaml and collector/gateway.yaml (the scale-out tier) against the built collector: both validate,
// the builder manifest has every component they use, and the gateway list the native runner writes replaces the
// agent's. The topology itself runs in test/e2e/scale.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureCollector, repoRoot } from '../../scripts/stack/backends.mjs';
import { writeGatewayList } from '../../scripts/stack/gateway-discovery.mjs';
import { gatewayListFile } from '../../scripts/stack/scale.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'otelkit-scale-configs-'));
let otelcol: string;

beforeAll(async () => {
  otelcol = await ensureCollector();
}, 30 * 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const r = spawnSync(otelcol, args, { encoding: 'utf8', env: { ...process.env, OTELKIT_AGENT_QUEUE_DIR: join(scratch, 'queue'), ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

type Config = Record<string, Record<string, Record<string, unknown>>>;
const load = (name: string): Config => parse(readFileSync(join(repoRoot, 'collector', name), 'utf8')) as Config;

describe.each(['agent.yaml', 'gateway.yaml'])('collector/%s', (name) => {
  it('passes `otelcol validate` with the built collector', () => {
    const r = run(['validate', `--config=${join(repoRoot, 'collector', name)}`]);
    expect(r.output).not.toMatch(/error/i);
    expect(r.status).toBe(0);
  });

  it('uses only components the builder manifest builds', () => {
    const cfg = load(name);
    const components = run(['components']).output;
    for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const) {
      for (const id of Object.keys(cfg[kind] ?? {})) expect(components, `${kind}: ${id}`).toContain(`name: ${id.split('/')[0] ?? ''}\n`);
    }
  });
});

describe('the gateway list', () => {
  it('takes a YAML list from OTELKIT_GATEWAY_ENDPOINTS', () => {
    const r = run(['print-config', `--config=${join(repoRoot, 'collector', 'agent.yaml')}`], { OTELKIT_GATEWAY_ENDPOINTS: '[10.0.0.5:4317, 10.0.0.6:4317]' });
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/hostnames:\s+- 10\.0\.0\.5:4317\s+- 10\.0\.0\.6:4317/);
  });

  it("refuses an empty list (the discovery never writes one) with the exporter's message", () => {
    const r = run(['validate', `--config=${join(repoRoot, 'collector', 'agent.yaml')}`], { OTELKIT_GATEWAY_ENDPOINTS: '[]' });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/load_balancing/);
  });

  it('is replaced by the file the native runner loads after agent.yaml', () => {
    writeGatewayList(scratch, ['127.0.0.1:24327']);
    const r = run(['print-config', `--config=${join(repoRoot, 'collector', 'agent.yaml')}`, `--config=${gatewayListFile(scratch)}`]);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/hostnames:\s+- 127\.0\.0\.1:24327\n/);
    expect(r.output).not.toContain('24317');
  });
});

describe('collector/gateway.yaml', () => {
  it('computes span metrics in a pipeline of its own, from every span, before tail sampling', () => {
    const pipelines = load('gateway.yaml').service?.pipelines as Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    expect(pipelines['traces/span_metrics']).toEqual({ receivers: ['otlp'], processors: ['memory_limiter'], exporters: ['span_metrics'] });
    expect(pipelines['traces/sampling']?.processors).toContain('tail_sampling');
    expect(pipelines['traces/sampling']?.receivers).toEqual(['otlp']);
  });
});
