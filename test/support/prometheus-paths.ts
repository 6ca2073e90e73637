// Comparing metric paths in one Prometheus: the series a job holds, and the generated dashboards' panel queries as
// Grafana sends them for a job. A "path" is how the app's metrics reached Prometheus (the collector's exporter, the
// app's own pull endpoint, OTLP pushed to Prometheus), told apart by the job label.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/stack/backends.mjs';
import { panelQueries, type Panel } from './dashboards.ts';
import { promQuery } from './stack.ts';

/** Labels that name where a series came from rather than what it measures. */
const ORIGIN_LABELS = new Set(['__name__', 'job', 'instance', 'exported_job', 'exported_instance']);

/**
 * Series (name and labels, origin labels aside) a job has held since `start` (unix seconds). With `normalizeLe`,
 * bucket bounds are compared as numbers: `le="1"` and `le="1.0"` are the same bound spelled two ways.
 */
export async function seriesOf(prometheusUrl: string, job: string, { start, normalizeLe = false }: { start: number; normalizeLe?: boolean }): Promise<Set<string>> {
  const q = new URLSearchParams({ 'match[]': `{job="${job}"}`, start: String(start) });
  const res = await fetch(`${prometheusUrl}/api/v1/series?${q.toString()}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`series of job ${job}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as { data: Record<string, string>[] };
  const out = new Set<string>();
  for (const labels of body.data) {
    const name = labels.__name__ ?? '';
    // Prometheus' own per-scrape series and alert states, and span metrics the collector makes from traces, exist
    // on one path only.
    if (name === 'up' || name.startsWith('scrape_') || name.startsWith('traces_span_metrics_')) continue;
    if (name === 'ALERTS' || name === 'ALERTS_FOR_STATE') continue;
    const rest = Object.entries(labels)
      .filter(([k]) => !ORIGIN_LABELS.has(k))
      .map(([k, v]): [string, string] => [k, normalizeLe && k === 'le' ? String(Number(v)) : v])
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    out.add(`${name}{${rest.join(',')}}`);
  }
  return out;
}

/** A job's command counts (`command_duration_seconds_count`) as `{ [command type]: { [outcome]: count } }`. */
export async function commandCountsByTypeAndOutcome(prometheusUrl: string, job: string): Promise<Record<string, Record<string, number>>> {
  const counted: Record<string, Record<string, number>> = {};
  for (const s of await promQuery(prometheusUrl, `sum by (command_type, command_outcome) (command_duration_seconds_count{job="${job}"})`)) {
    (counted[s.metric.command_type ?? ''] ??= {})[s.metric.command_outcome ?? ''] = Number(s.value[1]);
  }
  return counted;
}

/** One PromQL query of a generated dashboard's panel, with `$job` and Grafana's macros still in it. */
export interface PanelQuery {
  dashboard: string;
  title: string;
  expr: string;
}

/** Every panel query of every dashboard in collector/grafana/dashboards. */
export function dashboardPanelQueries(): PanelQuery[] {
  const dir = join(repoRoot, 'collector', 'grafana', 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => panelQueries((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels?: Panel[] }).panels ?? []).map((q) => ({ dashboard: f, ...q })));
}
