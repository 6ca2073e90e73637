// The `scale` topology of the native stack: two agent collectors (collector/agent.yaml) in front of two gateway
// collectors (collector/gateway.yaml), Jaeger, and Prometheus as the central metrics store receiving remote write.
// runner.mjs starts it with `topology: 'scale'`; this file holds what differs from the single-collector stack.
//
// The agents' load_balancing exporter uses the static resolver, whose list never changes by itself. A DNS or
// Kubernetes resolver follows the gateways' readiness; here gateway-discovery.mjs plays that part on loopback: it
// polls each gateway's health check, rewrites the list in a config file the agents load after agent.yaml, and sends
// them SIGHUP, on which a collector reloads its configuration.
import { join } from 'node:path';
import { repoRoot } from './backends.mjs';

export const AGENT_NAMES = Object.freeze(['agent-1', 'agent-2']);
export const GATEWAY_NAMES = Object.freeze(['gateway-1', 'gateway-2']);

const HOST = '127.0.0.1';

/** Ports of the collectors of the scale topology (Jaeger, Prometheus and Alertmanager keep DEFAULT_PORTS'). */
export const SCALE_COLLECTOR_PORTS = Object.freeze({
  // agent-1 takes the single collector's ports, so an app with otelkit's defaults sends to it.
  agent1OtlpGrpc: 4317,
  agent1OtlpHttp: 4318,
  agent1Health: 13133,
  agent1Telemetry: 8888,
  agent2OtlpGrpc: 4327,
  agent2OtlpHttp: 4328,
  agent2Health: 13143,
  agent2Telemetry: 8898,
  gateway1OtlpGrpc: 24317,
  gateway1Health: 23133,
  gateway1Telemetry: 28888,
  gateway2OtlpGrpc: 24327,
  gateway2Health: 23143,
  gateway2Telemetry: 28898,
  gatewayDiscovery: 23100,
});

const agentPorts = (ports, i) => ({
  otlpGrpc: ports[`agent${i + 1}OtlpGrpc`],
  otlpHttp: ports[`agent${i + 1}OtlpHttp`],
  health: ports[`agent${i + 1}Health`],
  telemetry: ports[`agent${i + 1}Telemetry`],
});
const gatewayPorts = (ports, i) => ({
  otlpGrpc: ports[`gateway${i + 1}OtlpGrpc`],
  health: ports[`gateway${i + 1}Health`],
  telemetry: ports[`gateway${i + 1}Telemetry`],
});

/** URLs of the collectors of the scale topology; `otlpGrpc`/`otlpHttp` are agent-1's. */
export function scaleUrls(ports) {
  const agents = AGENT_NAMES.map((name, i) => {
    const p = agentPorts(ports, i);
    return {
      name,
      otlpGrpc: `http://${HOST}:${p.otlpGrpc}`,
      otlpHttp: `http://${HOST}:${p.otlpHttp}`,
      collectorMetrics: `http://${HOST}:${p.telemetry}/metrics`,
      collectorHealth: `http://${HOST}:${p.health}/`,
    };
  });
  const gateways = GATEWAY_NAMES.map((name, i) => {
    const p = gatewayPorts(ports, i);
    return {
      name,
      otlpGrpc: `${HOST}:${p.otlpGrpc}`,
      collectorMetrics: `http://${HOST}:${p.telemetry}/metrics`,
      collectorHealth: `http://${HOST}:${p.health}/`,
    };
  });
  return {
    otlpGrpc: agents[0].otlpGrpc,
    otlpHttp: agents[0].otlpHttp,
    agents,
    gateways,
    remoteWrite: `http://${HOST}:${ports.prometheus}/api/v1/write`,
    gatewayDiscovery: `http://${HOST}:${ports.gatewayDiscovery}/`,
  };
}

/** The config file the agents load after agent.yaml: the gateways the load balancer routes to. */
export function gatewayListConfig(endpoints) {
  return { exporters: { load_balancing: { resolver: { static: { hostnames: [...endpoints] } } } } };
}

export const gatewayListFile = (stateDir) => join(stateDir, 'collector', 'gateways.yaml');

/**
 * The services of the scale topology besides Jaeger, Prometheus and Alertmanager, in start order: gateways, the
 * gateway discovery, agents. `agentEnv`/`gatewayEnv` add environment to every agent/gateway.
 */
export function scaleServices({ bins, ports, stateDir, jaegerOtlpGrpc, agentEnv = {}, gatewayEnv = {}, discoveryIntervalMs = 1000 }) {
  const urls = scaleUrls(ports);
  const services = {};
  GATEWAY_NAMES.forEach((name, i) => {
    const p = gatewayPorts(ports, i);
    services[name] = {
      cmd: bins.collector,
      args: [`--config=${join(repoRoot, 'collector', 'gateway.yaml')}`],
      env: {
        OTELKIT_GATEWAY_NAME: name,
        OTELKIT_COLLECTOR_OTLP_GRPC_ENDPOINT: `${HOST}:${p.otlpGrpc}`,
        OTELKIT_COLLECTOR_HEALTH_ENDPOINT: `${HOST}:${p.health}`,
        OTELKIT_COLLECTOR_TELEMETRY_HOST: HOST,
        OTELKIT_COLLECTOR_TELEMETRY_PORT: String(p.telemetry),
        OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT: jaegerOtlpGrpc,
        OTELKIT_REMOTE_WRITE_URL: urls.remoteWrite,
        ...gatewayEnv,
      },
      health: urls.gateways[i].collectorHealth,
    };
  });
  services['gateway-discovery'] = {
    cmd: process.execPath,
    args: [
      join(repoRoot, 'scripts', 'stack', 'gateway-discovery.mjs'),
      `--state-dir=${stateDir}`,
      `--listen=${HOST}:${ports.gatewayDiscovery}`,
      `--interval-ms=${discoveryIntervalMs}`,
      ...AGENT_NAMES.map((name) => `--agent=${name}`),
      ...urls.gateways.map((g) => `--gateway=${g.name}=${g.otlpGrpc}=${g.collectorHealth}`),
    ],
    env: {},
    health: urls.gatewayDiscovery,
  };
  AGENT_NAMES.forEach((name, i) => {
    const p = agentPorts(ports, i);
    services[name] = {
      cmd: bins.collector,
      args: [`--config=${join(repoRoot, 'collector', 'agent.yaml')}`, `--config=${gatewayListFile(stateDir)}`],
      env: {
        OTELKIT_COLLECTOR_OTLP_GRPC_ENDPOINT: `${HOST}:${p.otlpGrpc}`,
        OTELKIT_COLLECTOR_OTLP_HTTP_ENDPOINT: `${HOST}:${p.otlpHttp}`,
        OTELKIT_COLLECTOR_HEALTH_ENDPOINT: `${HOST}:${p.health}`,
        OTELKIT_COLLECTOR_TELEMETRY_HOST: HOST,
        OTELKIT_COLLECTOR_TELEMETRY_PORT: String(p.telemetry),
        OTELKIT_AGENT_QUEUE_DIR: join(stateDir, name, 'queue'),
        OTELKIT_REMOTE_WRITE_URL: urls.remoteWrite,
        ...agentEnv,
      },
      health: urls.agents[i].collectorHealth,
    };
  });
  return services;
}

/**
 * prometheus.yml for a scale topology: no `otel-collector` job (the apps' metrics arrive by remote write), and job
 * `otelcol` scraping every agent and gateway (`host:port` lists), labelled with its role. compose.scale.yaml's
 * copy (prometheus.scale.yml) is generated with it too.
 */
export function scaleScrapeConfigs(cfg, { agents, gateways }) {
  cfg.scrape_configs = (cfg.scrape_configs ?? []).filter((job) => job.job_name !== 'otel-collector');
  for (const job of cfg.scrape_configs) {
    if (job.job_name !== 'otelcol') continue;
    job.static_configs = [
      { targets: [...agents], labels: { otelkit_collector_role: 'agent' } },
      { targets: [...gateways], labels: { otelkit_collector_role: 'gateway' } },
    ];
  }
  return cfg;
}

/** prometheus.yml for the native scale topology: scaleScrapeConfigs over the loopback collectors. */
export function scalePrometheusConfig(cfg, ports) {
  const urls = scaleUrls(ports);
  const target = (url) => new URL(url).host;
  return scaleScrapeConfigs(cfg, { agents: urls.agents.map((a) => target(a.collectorMetrics)), gateways: urls.gateways.map((g) => target(g.collectorMetrics)) });
}

/**
 * The topology `scripts/stack.mjs up` was asked for: `--topology scale` or `--topology=scale`, `single` without the
 * flag. Throws an Error naming the flag and the values it takes.
 */
export function topologyFromArgs(args, known = ['single', 'scale']) {
  const i = args.findIndex((a) => a === '--topology' || a.startsWith('--topology='));
  if (i === -1) return 'single';
  const value = args[i].includes('=') ? args[i].slice('--topology='.length) : args[i + 1];
  if (value === undefined || !known.includes(value)) {
    throw new Error(`stack: --topology must be one of ${known.join(', ')} (got ${value === undefined ? 'nothing' : JSON.stringify(value)})`);
  }
  return value;
}
