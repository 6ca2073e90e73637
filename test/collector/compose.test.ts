import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERTMANAGER_VERSION, collectorManifestInfo, ensureDockerCompose, PROMETHEUS_VERSION, repoRoot } from '../../scripts/stack/backends.mjs';

const composeFile = join(repoRoot, 'collector', 'compose.yaml');

interface ComposeService {
  image: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: unknown;
  ports?: string[];
}

let dockerCompose: string;

beforeAll(async () => {
  dockerCompose = await ensureDockerCompose();
}, 600_000);

function composeConfig(file: string): { status: number | null; output: string } {
  const r = spawnSync(dockerCompose, ['-f', file, 'config', '-q'], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('collector/compose.yaml', () => {
  it('is a valid compose file (docker-compose config -q)', () => {
    const r = composeConfig(composeFile);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('is rejected by the same check when broken, so the check above means something', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-compose-'));
    try {
      cpSync(join(repoRoot, 'collector'), dir, { recursive: true });
      const broken = readFileSync(composeFile, 'utf8').replace('    image: prom/prometheus:', '    imag: prom/prometheus:');
      writeFileSync(join(dir, 'compose.yaml'), broken);
      const r = composeConfig(join(dir, 'compose.yaml'));
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/imag/);
      // The collector's build context must exist.
      writeFileSync(join(dir, 'compose.yaml'), readFileSync(composeFile, 'utf8').replace('      context: .\n', '      context: ./missing\n'));
      const noContext = composeConfig(join(dir, 'compose.yaml'));
      expect(noContext.status).not.toBe(0);
      expect(noContext.output).toMatch(/build path .*missing either does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const compose = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, ComposeService> };
  const services = compose.services;

  it('builds its collector from builder-config.yaml with the Collector Builder, as the native runner does', () => {
    const { manifest, version, binaryName } = collectorManifestInfo();
    const outputPath = (manifest as { dist: { output_path: string } }).dist.output_path.replace(/^\.\//, '');
    expect(services.collector?.build).toEqual({ context: '.', dockerfile: 'otelcol.Dockerfile' });
    expect(services.collector?.image).toBe(`otelkit/${binaryName}:${version}`);
    const dockerfile = readFileSync(join(repoRoot, 'collector', 'otelcol.Dockerfile'), 'utf8');
    const arg = (name: string): string | undefined => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(dockerfile)?.[1];
    expect(arg('OCB_VERSION')).toBe(version);
    expect(dockerfile).toContain('go install go.opentelemetry.io/collector/cmd/builder@v${OCB_VERSION}');
    expect(dockerfile).toMatch(/^COPY builder-config\.yaml \.\/$/m);
    expect(dockerfile).toMatch(/^RUN CGO_ENABLED=0 builder --config=builder-config\.yaml$/m);
    expect(dockerfile).toContain(`COPY --from=build /build/${outputPath}/${binaryName} /${binaryName}`);
    expect(dockerfile).toContain(`ENTRYPOINT ["/${binaryName}"]`);
    // The Go image is at least the Go release the builder module asks for.
    const dl = spawnSync('go', ['mod', 'download', '-json', `go.opentelemetry.io/collector/cmd/builder@v${version}`], { encoding: 'utf8' });
    const goMod = readFileSync((JSON.parse(dl.stdout) as { GoMod: string }).GoMod, 'utf8');
    const release = (v: string | undefined): number => {
      const [, major = 'NaN', minor = 'NaN'] = /^(\d+)\.(\d+)/.exec(v ?? '') ?? [];
      return Number(major) * 1000 + Number(minor);
    };
    const needed = /^go (\S+)/m.exec(goMod)?.[1];
    expect(release(arg('GO_VERSION')), `golang:${arg('GO_VERSION')} for a builder that needs go ${needed}`).toBeGreaterThanOrEqual(release(needed));
  });

  it('runs the Prometheus and Alertmanager the native runner builds, with Prometheus\' OTLP receiver on', () => {
    expect(services.prometheus?.image).toBe(`prom/prometheus:v${PROMETHEUS_VERSION}`);
    expect(services.alertmanager?.image).toBe(`prom/alertmanager:v${ALERTMANAGER_VERSION}`);
    expect(services.prometheus?.command).toContain('--web.enable-otlp-receiver');
  });

  it('pins every image to a version', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.image, name).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
  });

  it('mounts the files the native runner uses', () => {
    expect(services.collector?.volumes).toContain('./otelcol-config.yaml:/etc/otelkit/otelcol-config.yaml:ro');
    expect(services.jaeger?.volumes).toContain('./jaeger/config.yaml:/etc/otelkit/jaeger.yaml:ro');
    expect(services.prometheus?.volumes).toContain('./prometheus:/etc/prometheus:ro');
    expect(services.alertmanager?.volumes).toContain('./alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
    expect(services.grafana?.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(services.grafana?.volumes).toContain('./grafana/dashboards:/var/lib/grafana/dashboards/otelkit:ro');
  });

  it('sends the collector\'s spans to the Jaeger container', () => {
    expect(services.collector?.environment?.OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT).toBe('jaeger:4317');
    expect(services.jaeger?.environment?.OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT).toBe('0.0.0.0:4317');
  });

  it('has health checks on every service whose image has a shell', () => {
    // The contrib collector image is distroless: no in-container probe is possible.
    for (const name of ['jaeger', 'prometheus', 'alertmanager', 'grafana']) {
      expect(services[name]?.healthcheck, name).toBeDefined();
    }
  });

  it('provisions Grafana with the Prometheus and Jaeger services as datasources', () => {
    const ds = parse(readFileSync(join(repoRoot, 'collector', 'grafana', 'provisioning', 'datasources', 'otelkit.yaml'), 'utf8')) as {
      datasources: { type: string; url: string }[];
    };
    expect(ds.datasources.map((d) => [d.type, d.url])).toEqual([
      ['prometheus', 'http://prometheus:9090'],
      ['jaeger', 'http://jaeger:16686'],
    ]);
  });
});
