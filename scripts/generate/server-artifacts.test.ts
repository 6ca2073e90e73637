// The generated server dashboards and rules (collector/servers.md) read only the metrics their server catalogs
// define, under the jobs collector/receivers.yaml gives them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { familyName, metricNamesIn } from '../../packages/node/src/artifacts/promql.ts';
import { SERVER_JOBS, servers } from '../../packages/node/src/servers/index.ts';
import { SERVER_DASHBOARDS } from './artifacts.mjs';

const root = resolve(import.meta.dirname, '..', '..');
/** The collector's prometheus receiver reports each scrape target's health as `up`; the rules read it. */
const RECEIVER_METRICS = ['up'];

interface Dashboard { uid: string; panels: { type: string; targets?: { expr?: string; datasource?: { uid?: string } }[] }[]; templating: { list: { name: string; query?: unknown }[] } }

describe.each(servers.map((s) => [s.name, s] as const))('%s', (name, server) => {
  const known = new Set([...server.catalog.map((def) => familyName(def)), ...RECEIVER_METRICS]);
  const dashboard = JSON.parse(readFileSync(join(root, SERVER_DASHBOARDS, `${name}.json`), 'utf8')) as Dashboard;

  it('has a dashboard with job and instance variables over the datasource variable, querying only its catalog', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance']);
    const used = new Set<string>();
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      for (const t of p.targets ?? []) {
        expect(t.datasource?.uid).toBe('${datasource}');
        for (const n of metricNamesIn(t.expr ?? '')) used.add(n);
      }
    }
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
  });

  it('has rules reading only its catalog and the receiver\'s up; every catalog metric is read by them or the dashboard', () => {
    const rules = parse(readFileSync(join(root, 'collector/prometheus/rules', `${name}.rules.yml`), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    const used = rules.groups.flatMap((g) => g.rules.flatMap((r) => metricNamesIn(r.expr)));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((n) => !known.has(n))).toEqual([]);
    // Every catalog metric is read somewhere: on the dashboard or by an alert.
    const onDashboard = dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNamesIn(t.expr ?? '')));
    expect([...known].filter((n) => !RECEIVER_METRICS.includes(n) && !used.includes(n) && !onDashboard.includes(n))).toEqual([]);
  });

  it('names the job collector/receivers.yaml gives its series', () => {
    const cfg = parse(readFileSync(join(root, 'collector/receivers.yaml'), 'utf8')) as {
      receivers: { 'prometheus/servers': { config: { scrape_configs: { job_name: string }[] } } };
      processors: { 'resource/redis': { attributes: { key: string; value?: string }[] } };
    };
    const jobs = [
      ...cfg.receivers['prometheus/servers'].config.scrape_configs.map((c) => c.job_name),
      cfg.processors['resource/redis'].attributes.find((a) => a.key === 'service.name')?.value,
    ];
    expect(jobs).toContain(server.job);
  });
});

describe('server jobs', () => {
  it('are the jobs of the three servers, and their dashboards the only files of their folder', () => {
    expect(servers.map((s) => s.job).sort()).toEqual(Object.values(SERVER_JOBS).sort());
    expect(readdirSync(join(root, SERVER_DASHBOARDS)).sort()).toEqual(servers.map((s) => `${s.name}.json`).sort());
  });
});
