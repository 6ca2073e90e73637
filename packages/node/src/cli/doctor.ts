import type { ResolvedConfig } from '../config/resolved.js';
import { redactUrl } from '../redact-url.js';
import { checkMetricsExport, checkPortFree, checkTcp, checkTracesExport, type CheckResult } from './checks.js';
import { packStatuses, type PackStatus } from './packs.js';
import { outline, redactedConfig, table } from './report.js';

/** Everything `otelkit doctor` found; `--json` prints exactly this. */
export interface DoctorReport {
  readonly ok: boolean;
  readonly config: Record<string, unknown>;
  readonly packs: readonly PackStatus[];
  readonly prometheus: { readonly url: string; readonly check: CheckResult } | null;
  readonly otlp: readonly { readonly signal: 'metrics' | 'traces'; readonly endpoint: string; readonly protocol: string; readonly tcp: CheckResult; readonly export: CheckResult | null }[];
}

/** Runs every doctor check. `ok` is false when a configured OTLP endpoint fails or a config value was rejected. */
export async function runDoctor(config: ResolvedConfig, timeoutMillis: number): Promise<DoctorReport> {
  const prom = config.metrics.prometheus;
  const promCheck = config.metrics.exporters.includes('prometheus')
    ? checkPortFree(prom.host, prom.port).then((check) => ({ url: `http://${prom.host.includes(':') ? `[${prom.host}]` : prom.host}:${prom.port}/metrics`, check }))
    : Promise.resolve(null);
  const signals = [
    ...(config.metrics.exporters.includes('otlp') ? [{ signal: 'metrics' as const, otlp: config.metrics.otlp }] : []),
    ...(config.traces.exporters.includes('otlp') ? [{ signal: 'traces' as const, otlp: config.traces.otlp }] : []),
  ];
  const otlp = Promise.all(
    signals.map(async ({ signal, otlp: o }) => {
      const tcp = await checkTcp(o.endpoint, timeoutMillis);
      // Only a listening endpoint is worth an export attempt; otherwise the exporter would just retry until timeout.
      const exported = tcp.ok ? await (signal === 'metrics' ? checkMetricsExport(o, timeoutMillis) : checkTracesExport(o, timeoutMillis)) : null;
      return { signal, endpoint: redactUrl(o.endpoint), protocol: o.protocol, tcp, export: exported };
    }),
  );
  const [packs, prometheus, endpoints] = await Promise.all([packStatuses(config), promCheck, otlp]);
  const ok = config.problems.length === 0 && endpoints.every((e) => e.tcp.ok && e.export?.ok === true);
  return { ok, config: redactedConfig(config), packs, prometheus, otlp: endpoints };
}

const mark = (ok: boolean): string => (ok ? 'ok  ' : 'FAIL');

/** The human-readable doctor report. */
export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = ['otelkit doctor', '', 'Resolved configuration (secrets redacted):' + outline(report.config, '  '), ''];
  lines.push('Packs:');
  lines.push(
    report.packs.length === 0
      ? '  none found (packs are dependencies of the app whose package.json has an "otelkit.pack" entry)'
      : table(['package', 'version', 'status', 'reason'], report.packs.map((p) => [p.package, p.version ?? '', p.status, p.reason ?? '']))
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
  );
  lines.push('', 'Prometheus pull endpoint:');
  lines.push(
    report.prometheus === null
      ? '  not configured (OTEL_METRICS_EXPORTER has no "prometheus")'
      : `  ${report.prometheus.url}: port ${report.prometheus.check.detail}${report.prometheus.check.ok ? '' : ' — the app would log one warning and keep exporting over OTLP'}`,
  );
  lines.push('', 'OTLP endpoints:');
  if (report.otlp.length === 0) lines.push('  none configured');
  for (const e of report.otlp) {
    lines.push(`  ${e.signal} ${e.protocol} ${e.endpoint}`);
    lines.push(`    [${mark(e.tcp.ok)}] ${e.tcp.detail}`);
    if (e.export !== null) lines.push(`    [${mark(e.export.ok)}] ${e.export.detail}`);
  }
  const problems = report.config.problems as string[];
  if (problems.length > 0) lines.push('', 'Configuration problems:', ...problems.map((p) => `  ${p}`));
  lines.push('', report.ok ? 'All checks passed.' : 'Some checks failed (see above).');
  return lines.join('\n');
}
