// Types for backends.mjs (plain ESM so `node scripts/stack.mjs` runs without a compile step).
export declare const repoRoot: string;
export declare const builderManifest: string;
export declare const JAEGER_MODULE: string;
export declare const JAEGER_MODULE_VERSION: string;
export declare const JAEGER_V2_VERSION: string;
export declare const PROMETHEUS_MODULE: string;
export declare const PROMETHEUS_MODULE_VERSION: string;
export declare const PROMETHEUS_VERSION: string;
export declare const ALERTMANAGER_MODULE: string;
export declare const ALERTMANAGER_VERSION: string;

export declare class BackendUnavailableError extends Error {
  constructor(backend: string, reason: string, detail?: string);
  readonly backend: string;
}

export declare function cacheDir(): string;
export declare function collectorManifestInfo(): { manifest: unknown; version: string; hash: string; binaryName: string };
export declare function ensureCollector(): Promise<string>;
export declare function ensureJaeger(): Promise<string>;
export declare function ensurePrometheus(): Promise<{ prometheus: string; promtool: string }>;
export declare function ensureAlertmanager(): Promise<{ alertmanager: string; amtool: string }>;
export declare function ensureDockerCompose(): Promise<string>;
export declare function ensureRedisServer(): Promise<{ command: string; argv0: string; env: Record<string, string> }>;
export declare function ensureServerExporters(): Promise<{ postgresExporter: string; nodeExporter: string }>;
export declare function ensureAll(): Promise<{ collector: string; jaeger: string; prometheus: string; promtool: string; alertmanager: string; amtool: string }>;
