// Types for runner.mjs (plain ESM so `node scripts/stack.mjs` runs without a compile step).
export interface StackPorts {
  collectorOtlpGrpc: number;
  collectorOtlpHttp: number;
  collectorPrometheus: number;
  collectorTelemetry: number;
  collectorHealth: number;
  jaegerOtlpGrpc: number;
  jaegerOtlpHttp: number;
  jaegerQuery: number;
  jaegerQueryGrpc: number;
  jaegerHealth: number;
  jaegerHealthGrpc: number;
  jaegerTelemetry: number;
  prometheus: number;
  alertmanager: number;
}

export interface StackUrls {
  /** host:port URL of the collector's OTLP/gRPC receiver, e.g. http://127.0.0.1:4317 */
  otlpGrpc: string;
  /** base URL of the collector's OTLP/HTTP receiver (append /v1/metrics, /v1/traces) */
  otlpHttp: string;
  /** the collector's prometheus exporter (what Prometheus scrapes as job "otel-collector") */
  collectorExporter: string;
  /** the collector's own telemetry (job "otelcol") */
  collectorMetrics: string;
  collectorHealth: string;
  jaegerQuery: string;
  jaegerOtlpGrpc: string;
  prometheus: string;
  /** Prometheus' OTLP receiver (OTLP/HTTP protobuf, cumulative): metrics pushed with no collector in between */
  prometheusOtlp: string;
  alertmanager: string;
  /** with `servers`: the exporters the collector scrapes */
  postgresExporter?: string;
  nodeExporter?: string;
}

export interface StartStackOptions {
  stateDir: string;
  ports?: 'default' | 'random' | Partial<StackPorts>;
  /** host:port targets of the app's pull endpoint, scraped as job "app" (default OTELKIT_STACK_APP_TARGET or 127.0.0.1:9464) */
  appTargets?: string[];
  /** Prometheus scrape and rule evaluation interval, default 2s */
  scrapeInterval?: string;
  alertmanager?: boolean;
  /** where the critical and warning receivers' webhooks deliver (default OTELKIT_STACK_ALERT_WEBHOOK_URL or DEFAULT_ALERT_WEBHOOK_URL) */
  alertWebhookUrl?: string;
  detached?: boolean;
  healthTimeoutMs?: number;
  /** extra environment for every collector process (e.g. OTELKIT_SPANMETRICS_FLUSH_INTERVAL) */
  collectorEnv?: Record<string, string>;
  /** 'single' (default): one collector; 'scale': two agents, two gateways, Prometheus as the remote-write store */
  topology?: Topology;
  /** extra environment for the scale topology's gateways (e.g. OTELKIT_TAIL_SAMPLING_PERCENTAGE) */
  gatewayEnv?: Record<string, string>;
  /** the server metrics of collector/receivers.yaml (single topology only): postgres_exporter and node_exporter, and the collector's second --config */
  servers?: ServerOptions;
}

export type { ServerOptions } from './servers.mjs';

export type Topology = 'single' | 'scale';

export interface RunningStack {
  readonly ports: StackPorts;
  readonly urls: StackUrls;
  readonly stateDir: string;
  readonly bins: Record<string, string>;
  readonly topology: Topology;
  /** names of the services, in start order (e.g. jaeger, prometheus, gateway-1, ..., agent-2) */
  readonly services: readonly string[];
  logFile(name: string): string;
  startService(name: string): Promise<void>;
  /** SIGTERM (SIGKILL after 10 s), then wait for the exit */
  stopService(name: string): Promise<void>;
  /** SIGKILL, as a crash would end it */
  killService(name: string): Promise<void>;
  stopCollector(): Promise<void>;
  startCollector(): Promise<void>;
  setAppTargets(targets: string[]): void;
  stop(): Promise<void>;
}

export declare const DEFAULT_PORTS: Readonly<StackPorts>;
export declare const DEFAULT_APP_TARGET: string;
export declare const TOPOLOGIES: readonly Topology[];
export declare function defaultPorts(topology?: Topology): Readonly<Record<string, number>>;
export declare function randomPorts(defaults?: Readonly<Record<string, number>>): Promise<StackPorts>;
export declare function stackUrls(ports: StackPorts): StackUrls;
export declare const DEFAULT_ALERT_WEBHOOK_URL: string;
export declare function nativeAlertmanagerConfig(opts: { webhookUrl: string }): Record<string, unknown>;
export declare function nativePrometheusConfig(opts: { ports: StackPorts; targetsDir: string; scrapeInterval: string; alertmanager: boolean }): Record<string, unknown>;
export declare function startStack(opts: StartStackOptions): Promise<RunningStack>;
export declare function stopStackFromState(stateDir: string, log?: (line: string) => void): Promise<string[]>;
export declare function stackStatus(stateDir: string): Promise<(Record<string, unknown> & { urls: StackUrls; health: Record<string, string> }) | undefined>;
