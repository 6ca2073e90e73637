import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensureCollector, ensureJaeger, repoRoot } from '../../scripts/stack/backends.mjs';

const configFile = join(repoRoot, 'collector', 'otelcol-config.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-otelcol-'));
let otelcol: string;

// Building the collector from collector/builder-config.yaml takes minutes the first time (cached afterwards).
beforeAll(async () => {
  otelcol = await ensureCollector();
}, 30 * 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function validate(file: string, env: Record<string, string> = {}): { status: number | null; output: string } {
  const r = spawnSync(otelcol, ['validate', `--config=${file}`], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

type Config = Record<string, Record<string, unknown>>;

describe('collector/otelcol-config.yaml', () => {
  it('passes `otelcol validate` with the built collector', () => {
    const r = validate(configFile);
    expect(r.output).not.toMatch(/error/i);
    expect(r.status).toBe(0);
  });

  it('passes with the addresses compose sets', () => {
    const r = validate(configFile, {
      OTELKIT_COLLECTOR_OTLP_GRPC_ENDPOINT: '0.0.0.0:4317',
      OTELKIT_COLLECTOR_TELEMETRY_HOST: '0.0.0.0',
      OTELKIT_COLLECTOR_TELEMETRY_PORT: '8888',
      OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT: 'jaeger:4317',
    });
    expect(r.status).toBe(0);
  });

  it('refuses a metric expiration that is not a duration, naming the setting', () => {
    const r = validate(configFile, { OTELKIT_COLLECTOR_METRIC_EXPIRATION: 'soon' });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/metric_expiration/);
    expect(validate(configFile, { OTELKIT_COLLECTOR_METRIC_EXPIRATION: '20s' }).status).toBe(0);
  });

  it('fails validation when a pipeline names a component the build lacks', () => {
    const cfg = parse(readFileSync(configFile, 'utf8')) as Config;
    const service = cfg.service as { pipelines: { metrics: { exporters: string[] } } };
    service.pipelines.metrics.exporters.push('kafka');
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, stringify(cfg));
    const r = validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/kafka/);
  });

  it('is built with exactly the components the configurations use (single collector, server receivers, agent, gateway)', () => {
    const r = spawnSync(otelcol, ['components'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const built = parse(r.stdout) as Record<string, { name: string }[] | undefined>;
    const names = (kind: string): string[] => (built[kind] ?? []).map((c) => c.name).sort();
    // One binary serves every role: each of its components is used by some configuration, and nothing more is built.
    const configs = ['otelcol-config.yaml', 'receivers.yaml', 'agent.yaml', 'gateway.yaml']
      .map((f) => parse(readFileSync(join(repoRoot, 'collector', f), 'utf8')) as Config);
    const used = (kind: string): string[] =>
      [...new Set(configs.flatMap((cfg) => Object.keys(cfg[kind] ?? {})).map((k) => k.split('/')[0] ?? k))].sort();
    for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions']) {
      expect(names(kind), kind).toEqual(used(kind));
    }
  });

  it('keeps the prometheus exporter on the default translation the pull endpoint follows', () => {
    const cfg = parse(readFileSync(configFile, 'utf8')) as Config;
    const prom = cfg.exporters?.prometheus as Record<string, unknown>;
    // Unit suffixes and _total stay on (the default); resource attributes stay in target_info.
    expect(prom.add_metric_suffixes).toBeUndefined();
    expect(prom.translation_strategy).toBeUndefined();
    expect(prom.resource_to_telemetry_conversion).toEqual({ enabled: false });
  });
});

describe('collector/jaeger/config.yaml', () => {
  let jaeger: string;
  beforeAll(async () => {
    jaeger = await ensureJaeger();
  }, 30 * 60_000);

  it('passes Jaeger v2\'s own `validate`', () => {
    const r = spawnSync(jaeger, ['validate', `--config=${join(repoRoot, 'collector', 'jaeger', 'config.yaml')}`], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/error/i);
    expect(r.status).toBe(0);
  });

  it('fails Jaeger\'s `validate` for a config naming a component Jaeger lacks', () => {
    const cfg = parse(readFileSync(join(repoRoot, 'collector', 'jaeger', 'config.yaml'), 'utf8')) as Config;
    (cfg.extensions as Record<string, unknown>).bogus_extension = {};
    const broken = join(scratch, 'jaeger-broken.yaml');
    writeFileSync(broken, stringify(cfg));
    const r = spawnSync(jaeger, ['validate', `--config=${broken}`], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/bogus_extension/);
  });
});
