// collector/receivers.yaml (the opt-in server metrics, collector/servers.md) against the built collector, and
// compose.servers.yaml, the same for Docker, against docker-compose.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureCollector, ensureDockerCompose, ensureServerExporters, repoRoot } from '../../scripts/stack/backends.mjs';

const dir = join(repoRoot, 'collector');
let otelcol: string;

beforeAll(async () => {
  otelcol = await ensureCollector();
}, 30 * 60_000);

function validate(env: Record<string, string> = {}): { status: number | null; output: string } {
  const args = ['validate', `--config=${join(dir, 'otelcol-config.yaml')}`, `--config=${join(dir, 'receivers.yaml')}`];
  const r = spawnSync(otelcol, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('collector/receivers.yaml over otelcol-config.yaml', () => {
  it('passes `otelcol validate` with the built collector, defaults and compose\'s addresses alike', () => {
    for (const env of [{}, { OTELKIT_POSTGRES_EXPORTER_ENDPOINT: 'postgres-exporter:9187', OTELKIT_NODE_EXPORTER_ENDPOINT: 'node-exporter:9100', OTELKIT_REDIS_ENDPOINT: 'host.docker.internal:6379' }]) {
      const r = validate(env);
      expect(r.output).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it.each([
    ['OTELKIT_SERVERS_INTERVAL', 'often', /prometheus receiver: failed to unmarshal yaml to prometheus config object: not a valid duration string: "often"/],
    ['OTELKIT_POSTGRES_EXPORTER_ENDPOINT', 'http://db:9187', /"http:\/\/db:9187" is not a valid hostname/],
    ['OTELKIT_NODE_EXPORTER_ENDPOINT', 'http://host:9100', /"http:\/\/host:9100" is not a valid hostname/],
  ])('refuses %s=%s with the reason', (name, value, message) => {
    const r = validate({ [name]: value });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(message);
  });

  it('adds pipelines of its own and leaves the apps\' metrics pipeline as it is', () => {
    const base = parse(readFileSync(join(dir, 'otelcol-config.yaml'), 'utf8')) as { service: { pipelines: Record<string, unknown> } };
    const servers = parse(readFileSync(join(dir, 'receivers.yaml'), 'utf8')) as { service: { pipelines: Record<string, { exporters: string[] }> } };
    // The collector merges maps and replaces lists: a pipeline of the same name would replace the apps' one.
    expect(Object.keys(servers.service.pipelines).filter((p) => p in base.service.pipelines)).toEqual([]);
    for (const pipeline of Object.values(servers.service.pipelines)) expect(pipeline.exporters).toEqual(['prometheus']);
  });
});

describe('collector/compose.servers.yaml', () => {
  const files = ['-f', join(dir, 'compose.yaml'), '-f', join(dir, 'compose.servers.yaml')];

  it('is a valid override of compose.yaml (docker-compose config -q)', async () => {
    const r = spawnSync(await ensureDockerCompose(), [...files, 'config', '-q'], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  }, 600_000);

  it('starts the collector with receivers.yaml too, mounted, and points it at the exporters it runs', async () => {
    const r = spawnSync(await ensureDockerCompose(), [...files, 'config'], { encoding: 'utf8' });
    const merged = parse(r.stdout) as { services: Record<string, { command?: string[]; volumes?: string[]; environment?: Record<string, string> }> };
    const collector = merged.services.collector;
    expect(collector?.command).toEqual(['--config=/etc/otelkit/otelcol-config.yaml', '--config=/etc/otelkit/receivers.yaml']);
    // docker-compose 1.x writes volumes as source:target:mode.
    expect(collector?.volumes?.map((v) => v.split(':')).map(([source = '', target]) => [basename(source), target])).toEqual(expect.arrayContaining([
      ['otelcol-config.yaml', '/etc/otelkit/otelcol-config.yaml'],
      ['receivers.yaml', '/etc/otelkit/receivers.yaml'],
    ]));
    expect(collector?.environment?.OTELKIT_POSTGRES_EXPORTER_ENDPOINT).toBe('postgres-exporter:9187');
    expect(collector?.environment?.OTELKIT_NODE_EXPORTER_ENDPOINT).toBe('node-exporter:9100');
  }, 600_000);

  it('runs the exporter versions the native stack unpacks from Debian', async () => {
    const compose = parse(readFileSync(join(dir, 'compose.servers.yaml'), 'utf8')) as { services: Record<string, { image?: string }> };
    const upstream = (path: string): string | undefined => /debian-[a-z-]+-(\d+\.\d+\.\d+)-/.exec(path)?.[1];
    const { postgresExporter, nodeExporter } = await ensureServerExporters();
    expect(compose.services['postgres-exporter']?.image).toBe(`quay.io/prometheuscommunity/postgres-exporter:v${upstream(postgresExporter)}`);
    expect(compose.services['node-exporter']?.image).toBe(`prom/node-exporter:v${upstream(nodeExporter)}`);
  }, 600_000);
});
