import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildRules, metricNamesIn } from '../artifacts/index.js';
import { familyName } from '../artifacts/promql.js';
import { runtimeAlerts } from './alerts.js';
import { runtimeCatalog } from './catalog.js';
import { JOBS } from './queries.js';

// The service alerts read the runtime catalog and the scrape jobs of the shipped prometheus.yml; both are checked
// here, the alerts' behaviour by promtool (collector/prometheus/rules/tests/service.test.yml).
const prometheusYml = new URL('../../../../collector/prometheus/prometheus.yml', import.meta.url);

describe('runtimeAlerts', () => {
  const rules = buildRules(runtimeAlerts, { pack: 'service', catalog: runtimeCatalog }).groups.flatMap((g) => g.rules);

  it('read only runtime metrics and up', () => {
    const known = new Set(['up']);
    for (const def of runtimeCatalog) {
      known.add(familyName(def));
      if (def.kind === 'histogram') for (const s of ['_bucket', '_count', '_sum']) known.add(familyName(def) + s);
    }
    for (const rule of rules) expect(metricNamesIn(rule.expr).filter((n) => !known.has(n)), rule.alert).toEqual([]);
  });

  it('carry a routable severity and the annotations the packs\' alerts carry', () => {
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels['severity']);
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
    }
  });

  it('name scrape jobs that collector/prometheus/prometheus.yml defines', () => {
    const cfg = parse(readFileSync(prometheusYml, 'utf8')) as { scrape_configs: { job_name: string; honor_labels?: boolean }[] };
    const jobs = new Map(cfg.scrape_configs.map((c) => [c.job_name, c]));
    for (const job of [JOBS.app, JOBS.collector, ...JOBS.others]) expect([...jobs.keys()]).toContain(job);
    // The collector path's job is the service's only while the collector's job honours the exported labels.
    expect(jobs.get(JOBS.collector)?.honor_labels).toBe(true);
  });
});
