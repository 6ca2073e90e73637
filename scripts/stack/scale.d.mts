// Types for scale.mjs (plain ESM so `node scripts/stack.mjs` runs without a compile step).
export interface ScaleCollectorUrls {
  name: string;
  /** the collector's own telemetry (job "otelcol") */
  collectorMetrics: string;
  collectorHealth: string;
}

export interface ScaleUrls {
  /** agent-1's OTLP receivers */
  otlpGrpc: string;
  otlpHttp: string;
  agents: (ScaleCollectorUrls & { otlpGrpc: string; otlpHttp: string })[];
  /** otlpGrpc is host:port, as the agents' load_balancing exporter lists it */
  gateways: (ScaleCollectorUrls & { otlpGrpc: string })[];
  /** Prometheus' remote-write receiver */
  remoteWrite: string;
  /** gateway-discovery.mjs: GET answers { members, changes } */
  gatewayDiscovery: string;
}

export declare const AGENT_NAMES: readonly string[];
export declare const GATEWAY_NAMES: readonly string[];
export declare const SCALE_COLLECTOR_PORTS: Readonly<Record<string, number>>;
export declare function scaleUrls(ports: Readonly<Record<string, number>>): ScaleUrls;
export declare function gatewayListConfig(endpoints: readonly string[]): Record<string, unknown>;
export declare function gatewayListFile(stateDir: string): string;
export declare function scaleServices(opts: Record<string, unknown>): Record<string, { cmd: string; args: string[]; env: Record<string, string>; health: string }>;
export declare function scaleScrapeConfigs(cfg: Record<string, unknown>, targets: { agents: readonly string[]; gateways: readonly string[] }): Record<string, unknown>;
export declare function scalePrometheusConfig(cfg: Record<string, unknown>, ports: Readonly<Record<string, number>>): Record<string, unknown>;
export declare function topologyFromArgs(args: readonly string[], known?: readonly string[]): 'single' | 'scale';
