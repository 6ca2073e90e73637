import type { ResolvedConfig, ResolvedOtlp } from '../config/resolved.js';
import { formatProblem, redact, redactHeaders } from '../errors.js';
import { redactUrl } from '../redact-url.js';

/** The resolved configuration as `otelkit doctor` shows it: plain data, every secret replaced by `***`. */
export function redactedConfig(config: ResolvedConfig): Record<string, unknown> {
  const otlp = (o: ResolvedOtlp): Record<string, unknown> => ({
    endpoint: redactUrl(o.endpoint),
    protocol: o.protocol,
    headers: redactHeaders(o.headers),
    timeoutMillis: o.timeoutMillis,
    compression: o.compression,
    // Paths only: the resolved config keeps the PEM texts out of sight, and so does the report.
    ...(o.tls === undefined
      ? {}
      : { tls: { certificateFile: o.tls.certificateFile ?? 'system CA', clientCertificateFile: o.tls.clientCertificateFile ?? 'none', clientKeyFile: o.tls.clientKeyFile ?? 'none' } }),
  });
  const resource: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.resourceAttributes)) resource[k] = typeof v === 'string' ? redact(k, v) : v;
  const { sampler } = config.traces;
  return {
    disabled: config.disabled,
    serviceName: config.serviceName,
    serviceNameSource: config.serviceNameSource,
    resourceAttributes: resource,
    metrics: {
      exporters: config.metrics.exporters,
      otlp: otlp(config.metrics.otlp),
      prometheus: {
        host: config.metrics.prometheus.host,
        port: config.metrics.prometheus.port,
        auth: config.metrics.prometheus.auth === undefined ? 'none' : `${config.metrics.prometheus.auth.type} (***)`,
      },
      exportIntervalMillis: config.metrics.exportIntervalMillis,
      exportTimeoutMillis: config.metrics.exportTimeoutMillis,
      runtime: config.metrics.runtime,
      cardinalityLimit: config.metrics.cardinalityLimit,
      namespace: config.metrics.namespace,
    },
    traces: {
      exporters: config.traces.exporters,
      otlp: otlp(config.traces.otlp),
      sampler: sampler.kind === 'named' ? { name: sampler.name, ratio: sampler.ratio } : 'custom',
    },
    propagators: Array.isArray(config.propagators) ? config.propagators : 'custom',
    logLevel: config.logLevel,
    packs: { allow: config.packs.allow, disabled: config.packs.disabled },
    strict: config.strict,
    shutdownTimeoutMillis: config.shutdownTimeoutMillis,
    configFile: config.configFile ?? null,
    appPackageJson: config.appPackageJson ?? null,
    problems: config.problems.map(formatProblem),
  };
}

/** Renders rows as an aligned plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Indented `key: value` lines for nested plain data. */
export function outline(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${JSON.stringify(value)}`;
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map((v) => (typeof v === 'object' && v !== null ? `\n${indent}- ${outline(v, `${indent}  `)}` : String(v))).join(typeof value[0] === 'object' ? '' : ', ');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return entries
    .map(([k, v]) => (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 ? `\n${indent}${k}:${outline(v, `${indent}  `)}` : `\n${indent}${k}: ${outline(v, `${indent}  `)}`))
    .join('');
}
