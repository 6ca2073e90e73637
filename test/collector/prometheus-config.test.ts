import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensureAlertmanager, ensurePrometheus, repoRoot } from '../../scripts/stack/backends.mjs';
import { DEFAULT_PORTS, nativePrometheusConfig } from '../../scripts/stack/runner.mjs';

const promDir = join(repoRoot, 'collector', 'prometheus');
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-promconfig-'));
let promtool: string;
let amtool: string;

beforeAll(async () => {
  ({ promtool } = await ensurePrometheus());
  ({ amtool } = await ensureAlertmanager());
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function promtoolCheck(file: string): { status: number | null; output: string } {
  const r = spawnSync(promtool, ['check', 'config', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  static_configs?: { targets: string[] }[];
  file_sd_configs?: { files: string[] }[];
}

describe('collector/prometheus/prometheus.yml', () => {
  it('passes promtool check config (with the rule files it loads)', () => {
    const r = promtoolCheck(join(promDir, 'prometheus.yml'));
    expect(r.output).toContain('is valid prometheus config file syntax');
    expect(r.status).toBe(0);
  });

  it('fails promtool check config when broken, so the check above means something', () => {
    const cfg = parse(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] };
    cfg.scrape_configs.push({ job_name: 'otel-collector', static_configs: [{ targets: ['x:1'] }] });
    const file = join(scratch, 'dup.yml');
    writeFileSync(file, stringify(cfg));
    const r = promtoolCheck(file);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/multiple scrape configs with job name "otel-collector"/);
  });

  it('scrapes the collector exporter with honor_labels and the app as a second job', () => {
    const cfg = parse(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] };
    const jobs = Object.fromEntries(cfg.scrape_configs.map((j) => [j.job_name, j]));
    expect(jobs['otel-collector']?.honor_labels).toBe(true);
    expect(jobs['otelcol']).toBeDefined();
    expect(jobs['app']?.file_sd_configs?.[0]?.files).toEqual(['targets/app.yml']);
  });

  it('translates OTLP pushed straight to Prometheus the way the collector does, and promtool refuses a bad otlp block', () => {
    const cfg = parse(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')) as { otlp?: Record<string, unknown> };
    expect(cfg.otlp).toEqual({ translation_strategy: 'UnderscoreEscapingWithSuffixes', promote_scope_metadata: true, keep_identifying_resource_attributes: false });
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ translation_strategy: 'Underscores' }, /unsupported OTLP translation strategy "Underscores"/],
      [{ promote_scope_metadata: 'sometimes' }, /cannot unmarshal !!str `sometimes` into bool/],
      [{ promote_resource_attributes: ['service.version', 'service.version'] }, /duplicated promoted OTel resource attribute "service.version"/],
    ];
    for (const [otlp, message] of bad) {
      const file = join(scratch, 'otlp.yml');
      writeFileSync(file, stringify({ ...cfg, otlp: { ...cfg.otlp, ...otlp } }));
      const r = promtoolCheck(file);
      expect(r.status, JSON.stringify(otlp)).not.toBe(0);
      expect(r.output).toMatch(message);
    }
  });

  it('asks every target for underscore names, and promtool refuses an unknown escaping scheme', () => {
    const cfg = parse(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')) as { global: Record<string, unknown> };
    expect(cfg.global.metric_name_escaping_scheme).toBe('underscores');
    const file = join(scratch, 'escaping.yml');
    writeFileSync(file, stringify({ ...cfg, global: { ...cfg.global, metric_name_escaping_scheme: 'underscore' } }));
    const r = promtoolCheck(file);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got "underscore"/);
  });

  it('stays valid once the native runner points it at loopback ports', () => {
    const targetsDir = join(scratch, 'targets');
    mkdirSync(targetsDir, { recursive: true });
    writeFileSync(join(targetsDir, 'app.yml'), stringify([{ targets: ['127.0.0.1:9464'] }]));
    const cfg = nativePrometheusConfig({ ports: DEFAULT_PORTS, targetsDir, scrapeInterval: '2s', alertmanager: true }) as {
      scrape_configs: ScrapeConfig[];
      rule_files: string[];
    };
    const file = join(scratch, 'native.yml');
    writeFileSync(file, stringify(cfg));
    const r = promtoolCheck(file);
    expect(r.status, r.output).toBe(0);
    const targets = Object.fromEntries(cfg.scrape_configs.map((j) => [j.job_name, j.static_configs?.[0]?.targets[0]]));
    expect(targets['otel-collector']).toBe(`127.0.0.1:${DEFAULT_PORTS.collectorPrometheus}`);
    expect(targets['otelcol']).toBe(`127.0.0.1:${DEFAULT_PORTS.collectorTelemetry}`);
    expect(cfg.rule_files).toEqual([join(promDir, 'rules', '*.rules.yml')]);
  });
});

describe('collector/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const r = spawnSync(amtool, ['check-config', join(repoRoot, 'collector', 'alertmanager', 'alertmanager.yml')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
