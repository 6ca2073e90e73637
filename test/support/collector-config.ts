// Asking the built collector about a set of config files under a given environment: `validate`, and the resolved
// configuration (`print-config`) from which tests read the addresses it will really listen on.
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';

export interface CollectorRun {
  readonly status: number | null;
  readonly output: string;
}

function run(otelcol: string, command: string, files: readonly string[], env: Readonly<Record<string, string>>): CollectorRun & { stdout: string } {
  const r = spawnSync(otelcol, [command, ...files.map((f) => `--config=${f}`)], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

export function validateCollectorConfig(otelcol: string, files: readonly string[], env: Readonly<Record<string, string>> = {}): CollectorRun {
  const { status, output } = run(otelcol, 'validate', files, env);
  return { status, output };
}

export type ResolvedConfig = Record<string, Record<string, unknown> | undefined>;

/** The configuration the collector would run, every ${env:...} resolved; throws with its output when refused. */
export function resolvedCollectorConfig(otelcol: string, files: readonly string[], env: Readonly<Record<string, string>> = {}): ResolvedConfig {
  const r = run(otelcol, 'print-config', files, env);
  if (r.status !== 0) throw new Error(`print-config failed (${r.status}):\n${r.output}`);
  return parse(r.stdout) as ResolvedConfig;
}

/** Follows a dotted path of keys ("receivers.otlp.protocols.grpc.endpoint"; keys may contain "/": "file_storage/queue"). */
export function at(cfg: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], cfg);
}

/** The port of a host:port endpoint read from a resolved config. */
export function endpointPort(cfg: unknown, path: string): number {
  const endpoint = at(cfg, path);
  const m = /:(\d+)$/.exec(String(endpoint));
  if (!m) throw new Error(`${path} is not host:port (${String(endpoint)})`);
  return Number(m[1]);
}

/** The collector's own-metrics port (service.telemetry.metrics.readers[0].pull.exporter.prometheus.port). */
export function telemetryPort(cfg: unknown): number {
  const readers = at(cfg, 'service.telemetry.metrics.readers') as { pull?: { exporter?: { prometheus?: { port?: number } } } }[];
  return Number(readers[0]?.pull?.exporter?.prometheus?.port);
}
