// collector/kubernetes/: the agent DaemonSet and gateway Deployment of collector/README.md's scale-out tier, with no
// cluster. Every manifest is checked against the Kubernetes API schemas (kubernetes-models), the pieces are checked
// to fit together (selectors, Service ports, the resolver's hostname, probes), and the collector configs the
// ConfigMaps carry (generated, checked by scripts/generate/scale-artifacts.test.ts) are run through the built
// collector's `validate` and `print-config` with each container's environment, so the container ports are the
// addresses the collector will really listen on.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { collectorManifestInfo, ensureCollector, repoRoot } from '../../scripts/stack/backends.mjs';
import { KUBERNETES_NAMESPACE } from '../../scripts/generate/scale-artifacts.mjs';
import { at, endpointPort, resolvedCollectorConfig, telemetryPort, validateCollectorConfig, type ResolvedConfig } from '../support/collector-config.ts';

const dir = join(repoRoot, 'collector', 'kubernetes');
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-kubernetes-'));
let otelcol: string;

beforeAll(async () => {
  otelcol = await ensureCollector();
}, 30 * 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Port { name?: string; containerPort?: number; port?: number; targetPort?: string | number }
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: Port[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    internalTrafficPolicy?: string;
    ports?: Port[];
    template?: { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; volumes?: { name: string; configMap?: { name: string }; hostPath?: { path: string } }[] } };
  };
  data?: Record<string, string>;
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

// One class per kind the manifests use; a kind not listed here fails the schema test.
const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};
function schemaCheck(m: Manifest): void {
  const Model = models[`${m.apiVersion}/${m.kind}`];
  if (!Model) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  new Model(m as never).validate();
}

const manifestFiles = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const manifests = new Map(manifestFiles.map((f) => [f, parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Manifest)]));
const all = [...manifests.values()].flat();
const find = (kind: string, name: string): Manifest => {
  const m = all.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name} in collector/kubernetes`);
  return m;
};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const mebibytes = (q: string | undefined): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q ?? '');
  if (!m) throw new Error(`memory quantity ${String(q)} is not in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

/** The workload's one container, its config files written from the ConfigMap, and the config it resolves to. */
function collectorOf(kind: 'DaemonSet' | 'Deployment', name: string): { container: Container; files: string[]; env: Record<string, string>; cfg: ResolvedConfig; workload: Manifest } {
  const workload = find(kind, name);
  const pod = workload.spec?.template?.spec;
  const container = pod?.containers[0];
  if (!pod || !container) throw new Error(`${kind} ${name} has no container`);
  const configVolume = pod.volumes?.find((v) => v.configMap !== undefined);
  const mount = container.volumeMounts?.find((v) => v.name === configVolume?.name);
  const data = find('ConfigMap', configVolume?.configMap?.name ?? '').data ?? {};
  const files = (container.args ?? []).map((arg) => {
    const m = /^--config=(.+)\/([^/]+)$/.exec(arg);
    expect(m?.[1], arg).toBe(mount?.mountPath);
    const key = m?.[2] ?? '';
    expect(Object.keys(data), `${arg} is a key of the mounted ConfigMap`).toContain(key);
    const file = join(scratch, `${name}-${key}`);
    writeFileSync(file, data[key] ?? '');
    return file;
  });
  // Values from the downward API get a stand-in; the queue directory goes to scratch (validate creates nothing, but
  // print-config resolves it).
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? `${name}-pod`]));
  return { container, files, env, cfg: resolvedCollectorConfig(otelcol, files, env), workload };
}

describe('collector/kubernetes manifests', () => {
  it('are valid against the Kubernetes API schemas', () => {
    expect(manifestFiles).toEqual(['agent.yaml', 'config.yaml', 'gateway.yaml', 'k8s-resolver.yaml', 'namespace.yaml']);
    for (const m of all) expect(() => schemaCheck(m), `${m.kind} ${m.metadata.name}`).not.toThrow();
  });

  it('fail the same schema check when broken, so the check above means something', () => {
    const daemonSet = structuredClone(find('DaemonSet', 'otelcol-agent'));
    delete daemonSet.spec?.selector;
    expect(() => schemaCheck(daemonSet)).toThrow(/selector/);
    const service = structuredClone(find('Service', 'otelcol-gateway-headless'));
    (service.spec?.ports?.[0] as Record<string, unknown>).port = 'otlp';
    expect(() => schemaCheck(service)).toThrow(/port must be integer/);
  });

  it('live in one namespace, and kustomization.yaml applies all but the opt-in k8s resolver RBAC', () => {
    for (const m of all) expect(m.kind === 'Namespace' ? m.metadata.name : m.metadata.namespace, `${m.kind} ${m.metadata.name}`).toBe(KUBERNETES_NAMESPACE);
    const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(manifestFiles.filter((f) => f !== 'k8s-resolver.yaml'));
  });

  it('run the image compose builds from builder-config.yaml, with pinned versions', () => {
    const { version, binaryName } = collectorManifestInfo();
    for (const [kind, name] of [['DaemonSet', 'otelcol-agent'], ['Deployment', 'otelcol-gateway']] as const) {
      const pod = find(kind, name).spec?.template?.spec;
      expect(pod?.containers.map((c) => c.image)).toEqual([`otelkit/${binaryName}:${version}`]);
    }
    const compose = parse(readFileSync(join(repoRoot, 'collector', 'compose.yaml'), 'utf8')) as { services: { collector: { image: string } } };
    expect(compose.services.collector.image).toBe(`otelkit/${binaryName}:${version}`);
  });
});

describe.each([
  ['DaemonSet', 'otelcol-agent', ['otlp-grpc', 'otlp-http']],
  ['Deployment', 'otelcol-gateway', ['otlp-grpc']],
] as const)('the %s %s', (kind, name, otlpPorts) => {
  it('selects its own pods', () => {
    const workload = find(kind, name);
    expect(selects(workload.spec?.selector?.matchLabels, workload.spec?.template?.metadata.labels)).toBe(true);
  });

  it('passes `otelcol validate` with the config files of its ConfigMap and its container environment', () => {
    const { files, env } = collectorOf(kind, name);
    const r = validateCollectorConfig(otelcol, files, env);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('declares as container ports the addresses its config listens on, and probes the health check', () => {
    const { container, cfg } = collectorOf(kind, name);
    const port = (portName: string): number | undefined => container.ports?.find((p) => p.name === portName)?.containerPort;
    const protocols: Record<string, string> = { 'otlp-grpc': 'grpc', 'otlp-http': 'http' };
    for (const p of otlpPorts) expect(port(p), p).toBe(endpointPort(cfg, `receivers.otlp.protocols.${protocols[p] ?? ''}.endpoint`));
    expect(Object.keys(at(cfg, 'receivers.otlp.protocols') as object).filter((k) => at(cfg, `receivers.otlp.protocols.${k}`) !== null)).toHaveLength(otlpPorts.length);
    expect(port('health')).toBe(endpointPort(cfg, 'extensions.health_check.endpoint'));
    expect(port('metrics')).toBe(telemetryPort(cfg));
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe?.httpGet).toEqual({ path: at(cfg, 'extensions.health_check.path'), port: 'health' });
    }
    // Every listener binds all interfaces, or the kubelet and the Services could not reach it.
    for (const path of ['extensions.health_check.endpoint', ...otlpPorts.map((p) => `receivers.otlp.protocols.${protocols[p] ?? ''}.endpoint`)]) {
      expect(String(at(cfg, path)), path).toMatch(/^0\.0\.0\.0:/);
    }
  });

  it('gives the container the memory its memory_limiter is set for (limit_mib 80 % of the limit, requests = limits)', () => {
    const { container, cfg } = collectorOf(kind, name);
    const limit = mebibytes(container.resources?.limits?.memory);
    expect(mebibytes(container.resources?.requests?.memory)).toBe(limit);
    expect(Number(at(cfg, 'processors.memory_limiter.limit_mib'))).toBe(limit * 0.8);
    expect(Number(at(cfg, 'processors.memory_limiter.spike_limit_mib'))).toBeLessThan(Number(at(cfg, 'processors.memory_limiter.limit_mib')));
  });
});

describe('the agents and the gateways together', () => {
  it('the agents resolve the gateways by DNS through the headless Service that selects the gateway pods', () => {
    const agent = collectorOf('DaemonSet', 'otelcol-agent');
    const gateway = collectorOf('Deployment', 'otelcol-gateway');
    const headless = find('Service', 'otelcol-gateway-headless');
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.publishNotReadyAddresses ?? false).toBe(false);
    expect(selects(headless.spec?.selector, gateway.workload.spec?.template?.metadata.labels)).toBe(true);
    expect(selects(headless.spec?.selector, agent.workload.spec?.template?.metadata.labels)).toBe(false);

    const resolver = at(agent.cfg, 'exporters.load_balancing.resolver') as Record<string, unknown>;
    expect(Object.entries(resolver).filter(([, v]) => v !== null).map(([k]) => k)).toEqual(['dns']);
    expect(at(resolver, 'dns.hostname')).toBe(`${headless.metadata.name}.${KUBERNETES_NAMESPACE}.svc.cluster.local`);
    const servicePort = headless.spec?.ports?.find((p) => p.name === 'otlp-grpc');
    expect(Number(at(resolver, 'dns.port'))).toBe(servicePort?.port);
    // DNS gives pod addresses, so the agents dial the gateway container's port itself.
    expect(servicePort?.port).toBe(endpointPort(gateway.cfg, 'receivers.otlp.protocols.grpc.endpoint'));
    expect(servicePort?.targetPort).toBe('otlp-grpc');
  });

  it('the otelcol-agent Service keeps each app on its node\'s agent, on the agent\'s named ports', () => {
    const agent = collectorOf('DaemonSet', 'otelcol-agent');
    const service = find('Service', 'otelcol-agent');
    expect(service.spec?.internalTrafficPolicy).toBe('Local');
    expect(selects(service.spec?.selector, agent.workload.spec?.template?.metadata.labels)).toBe(true);
    for (const p of service.spec?.ports ?? []) {
      expect(agent.container.ports?.find((c) => c.name === p.targetPort)?.containerPort, String(p.targetPort)).toBe(p.port);
    }
  });

  it('the agents keep their on-disk queue on the node (hostPath), where file_storage writes it', () => {
    const agent = collectorOf('DaemonSet', 'otelcol-agent');
    const queue = agent.workload.spec?.template?.spec.volumes?.find((v) => v.hostPath !== undefined);
    expect(at(agent.cfg, 'exporters.load_balancing.sending_queue.storage')).toBe('file_storage/queue');
    expect(agent.container.volumeMounts?.find((m) => m.name === queue?.name)?.mountPath).toBe(at(agent.cfg, 'extensions.file_storage/queue.directory'));
  });

  it('k8s-resolver.yaml grants the agents\' service account what the k8s resolver watches', () => {
    const role = find('Role', 'otelcol-agent-gateway-endpoints');
    expect(role.rules).toEqual([{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] }]);
    const binding = find('RoleBinding', 'otelcol-agent-gateway-endpoints');
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: role.metadata.name });
    const account = find('ServiceAccount', 'otelcol-agent');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: account.metadata.name, namespace: KUBERNETES_NAMESPACE }]);
  });
});
