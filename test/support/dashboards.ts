// Asking Prometheus every query of a generated Grafana dashboard, as Grafana would: panel targets with Grafana's
// macros and template variables expanded, and each query variable's label_values() through the label values API.
// The e2e tests use it to prove every dashboard query returns data against the real stack.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Stack } from './stack.ts';

export interface Variable {
  name?: string;
  type?: string;
  query?: string | { query?: string };
}

export interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
}

export function panelQueries(panels: readonly Panel[]): { title: string; expr: string }[] {
  return panels.flatMap((p) => [
    ...(p.targets ?? []).filter((t) => typeof t.expr === 'string' && t.expr !== '').map((t) => ({ title: p.title ?? '(untitled)', expr: t.expr ?? '' })),
    ...panelQueries(p.panels ?? []),
  ]);
}

/** Grafana's macros and template variables as Grafana would expand them; unknown variables match everything. */
export function substitute(expr: string, values: Record<string, string>): string {
  const macros: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m', __range_s: '300', __interval_ms: '15000' };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (_m, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return macros[name] ?? values[name] ?? '.*';
  });
}

/**
 * The queries of a dashboard file that return nothing: each query variable's values since `since` (unix seconds),
 * and each panel query once per `jobs` entry (`$job` set to it; without jobs, `$job` matches every job).
 * Returns the empty ones, described, and how many queries were asked.
 */
export async function emptyDashboardQueries(stack: Stack, file: string, { since, jobs = [] }: { since: number; jobs?: readonly string[] }): Promise<{ empty: string[]; queries: number }> {
  const name = basename(file);
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[]; templating?: { list?: Variable[] } };
  const empty: string[] = [];
  let queries = 0;
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text.trim());
    if (match === null) {
      empty.push(`${name} / variable ${variable.name}: unsupported query ${text}`);
      continue;
    }
    const q = new URLSearchParams({ 'match[]': substitute(match[1] ?? '', {}), start: String(since) });
    const res = await fetch(`${stack.urls.prometheus}/api/v1/label/${match[2] ?? ''}/values?${q.toString()}`, { signal: AbortSignal.timeout(10_000) });
    const values = (await res.json()) as { data?: string[] };
    queries++;
    if ((values.data ?? []).length === 0) empty.push(`${name} / variable ${variable.name}: no values for ${text}`);
  }
  for (const { title, expr } of panelQueries(dashboard.panels ?? [])) {
    for (const job of jobs.length === 0 ? [undefined] : jobs) {
      const query = substitute(expr, job === undefined ? {} : { job });
      queries++;
      if ((await stack.promQuery(query)).length === 0) empty.push(`${name} / ${title}${job === undefined ? '' : ` (job ${job})`}: ${query}`);
    }
  }
  return { empty, queries };
}

/**
 * emptyDashboardQueries over several dashboard files of `dir`, summed. With `waitMs`, a file whose queries are not
 * all answered yet is asked again every 5 s until they are or the time is up (rates need two samples in their range).
 */
export async function emptyQueriesOfDashboards(
  stack: Stack,
  dir: string,
  files: readonly string[],
  { since, jobs = [], waitMs = 0 }: { since: number; jobs?: readonly string[]; waitMs?: number },
): Promise<{ empty: string[]; queries: number }> {
  const empty: string[] = [];
  let queries = 0;
  for (const file of files) {
    const deadline = Date.now() + waitMs;
    let last = await emptyDashboardQueries(stack, join(dir, file), { since, jobs });
    while (last.empty.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5_000));
      last = await emptyDashboardQueries(stack, join(dir, file), { since, jobs });
    }
    empty.push(...last.empty);
    queries += last.queries;
  }
  return { empty, queries };
}
