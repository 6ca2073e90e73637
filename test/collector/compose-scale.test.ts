// collector/compose.scale.yaml, the scale-out tier with Docker, over compose.yaml: valid for docker-compose (no
// engine runs here), and the merged services fit together: each collector's mounted configs pass the built
// collector's `validate` with the service's environment, published ports are the addresses the configs listen on,
// the agents' DNS name is the gateways' network alias, and Prometheus (the remote-write store) scrapes every
// collector with the generated prometheus.scale.yml.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureCollector, ensureDockerCompose, repoRoot } from '../../scripts/stack/backends.mjs';
import { PROMETHEUS_SCALE_CONFIG } from '../../scripts/generate/scale-artifacts.mjs';
import { at, endpointPort, resolvedCollectorConfig, telemetryPort, validateCollectorConfig, type ResolvedConfig } from '../support/collector-config.ts';

const dir = join(repoRoot, 'collector');

interface Service {
  image?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  ports?: { published: number; target: number }[];
  networks?: Record<string, { aliases?: string[] } | null>;
}

let otelcol: string;
let services: Record<string, Service>;
let compose: (args: string[]) => { status: number | null; output: string; stdout: string };

beforeAll(async () => {
  const dockerCompose = await ensureDockerCompose();
  compose = (args) => {
    const r = spawnSync(dockerCompose, ['-f', join(dir, 'compose.yaml'), '-f', join(dir, 'compose.scale.yaml'), ...args], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
  };
  services = (parse(compose(['config']).stdout) as { services: Record<string, Service> }).services;
  otelcol = await ensureCollector();
}, 30 * 60_000);

/** The host file mounted at a container path, from a merged `host:container[:mode]` volume list. */
function mounted(svc: Service, containerPath: string): string | undefined {
  return svc.volumes?.map((v) => v.split(':')).find(([, target]) => target === containerPath)?.[0];
}

interface Collector { name: string; role: 'agent' | 'gateway'; svc: Service; files: string[]; cfg: ResolvedConfig }
function collectors(): Collector[] {
  return Object.entries(services).flatMap(([name, svc]) => {
    const configs = (svc.command ?? []).filter((a) => a.startsWith('--config=')).map((a) => a.slice('--config='.length));
    const role = configs.some((c) => c.endsWith('/agent.yaml')) ? 'agent' : configs.some((c) => c.endsWith('/gateway.yaml')) ? 'gateway' : undefined;
    if (role === undefined) return [];
    const files = configs.map((c) => {
      const file = mounted(svc, c);
      if (file === undefined) throw new Error(`${name}: ${c} is not mounted`);
      return file;
    });
    return [{ name, role, svc, files, cfg: resolvedCollectorConfig(otelcol, files, svc.environment) }];
  });
}

describe('collector/compose.scale.yaml over compose.yaml', () => {
  it('is valid for docker-compose (config -q)', () => {
    const r = compose(['config', '-q']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs two agents (compose.yaml\'s collector is agent-1) and two gateways, each passing `otelcol validate` with its mounts and environment', () => {
    const all = collectors();
    expect(all.map((c) => [c.name, c.role])).toEqual([['agent-2', 'agent'], ['collector', 'agent'], ['gateway-1', 'gateway'], ['gateway-2', 'gateway']]);
    for (const c of all) {
      const r = validateCollectorConfig(otelcol, c.files, c.svc.environment);
      expect(r.output, c.name).toBe('');
      expect(r.status, c.name).toBe(0);
    }
  });

  it('publishes the agents\' OTLP receivers: agent-1 on the single collector\'s ports, agent-2 on 4327/4328', () => {
    const published = (c: Collector, port: number): number | undefined => c.svc.ports?.find((p) => p.target === port)?.published;
    const [agent2, agent1] = collectors().filter((c) => c.role === 'agent');
    if (!agent1 || !agent2) throw new Error('two agents expected');
    for (const [agent, grpc, http] of [[agent1, 4317, 4318], [agent2, 4327, 4328]] as const) {
      expect(published(agent, endpointPort(agent.cfg, 'receivers.otlp.protocols.grpc.endpoint')), agent.name).toBe(grpc);
      expect(published(agent, endpointPort(agent.cfg, 'receivers.otlp.protocols.http.endpoint')), agent.name).toBe(http);
      expect(String(at(agent.cfg, 'receivers.otlp.protocols.grpc.endpoint'))).toMatch(/^0\.0\.0\.0:/);
    }
  });

  it('the agents find the gateways by DNS under their network alias, on the gateways\' OTLP port', () => {
    const all = collectors();
    const gateways = all.filter((c) => c.role === 'gateway');
    for (const agent of all.filter((c) => c.role === 'agent')) {
      const resolver = at(agent.cfg, 'exporters.load_balancing.resolver') as Record<string, unknown>;
      expect(Object.entries(resolver).filter(([, v]) => v !== null).map(([k]) => k), agent.name).toEqual(['dns']);
      for (const gateway of gateways) {
        expect(gateway.svc.networks?.default?.aliases, gateway.name).toContain(at(resolver, 'dns.hostname'));
        expect(Number(at(resolver, 'dns.port'))).toBe(endpointPort(gateway.cfg, 'receivers.otlp.protocols.grpc.endpoint'));
      }
      // The queue is on a named volume of its own, where file_storage writes it.
      expect(agent.svc.volumes?.find((v) => v.endsWith(`:${String(at(agent.cfg, 'extensions.file_storage/queue.directory'))}:rw`)), agent.name).toMatch(/^agent-\d-queue:/);
    }
    expect(new Set(gateways.map((g) => at(g.cfg, 'processors.resource/gateway.attributes') as unknown).map((a) => JSON.stringify(a))).size).toBe(gateways.length);
  });

  it('sends traces to the Jaeger service and every metric to Prometheus\' remote-write receiver', () => {
    const jaegerPort = /:(\d+)$/.exec(services.jaeger?.environment?.OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT ?? '')?.[1];
    const prometheus = services.prometheus;
    expect(prometheus?.command).toContain('--web.enable-remote-write-receiver');
    for (const c of collectors()) {
      expect(at(c.cfg, 'exporters.prometheus_remote_write.http.endpoint'), c.name).toBe('http://prometheus:9090/api/v1/write');
      if (c.role === 'gateway') expect(at(c.cfg, 'exporters.otlp_grpc/jaeger.endpoint'), c.name).toBe(`jaeger:${jaegerPort ?? ''}`);
    }
    expect(prometheus?.ports?.some((p) => p.target === 9090)).toBe(true);
  });

  it('starts Prometheus as compose.yaml does, but with prometheus.scale.yml and the remote-write receiver', () => {
    const base = (parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> }).services.prometheus?.command ?? [];
    const scale = services.prometheus?.command ?? [];
    const scaleConfig = `/etc/prometheus/${PROMETHEUS_SCALE_CONFIG.split('/').at(-1) ?? ''}`;
    expect(scale.filter((a) => a !== '--web.enable-remote-write-receiver').map((a) => a.replace(scaleConfig, '/etc/prometheus/prometheus.yml'))).toEqual(base);
    expect(mounted(services.prometheus ?? {}, '/etc/prometheus')).toBe(join(dir, 'prometheus'));
  });

  it('prometheus.scale.yml (generated) scrapes every collector\'s own metrics as job otelcol', () => {
    const cfg = parse(readFileSync(join(repoRoot, PROMETHEUS_SCALE_CONFIG), 'utf8')) as { scrape_configs: { job_name: string; static_configs?: { targets: string[]; labels?: Record<string, string> }[] }[] };
    expect(cfg.scrape_configs.map((j) => j.job_name)).not.toContain('otel-collector');
    const otelcolJob = cfg.scrape_configs.find((j) => j.job_name === 'otelcol');
    const scraped = (otelcolJob?.static_configs ?? []).flatMap((s) => s.targets.map((t) => [t, s.labels?.otelkit_collector_role]));
    const expected = collectors().map((c) => [`${c.name}:${telemetryPort(c.cfg)}`, c.role]);
    expect(scraped.sort()).toEqual(expected.sort());
    for (const c of collectors()) expect(String(at(c.cfg, 'service.telemetry.metrics.readers.0.pull.exporter.prometheus.host')), c.name).toBe('0.0.0.0');
  });
});
