import { describe, expect, it } from 'vitest';
import { buildRules, metricNamesIn } from '../artifacts/index.js';
import { familyName } from '../artifacts/promql.js';
import { pipelineAlerts } from './pipeline-alerts.js';
import { selfCatalog } from './self-catalog.js';

// The pipeline alerts read otelkit's self-telemetry catalog and the collector's own metrics; their behaviour is
// checked by promtool (collector/prometheus/rules/tests/pipeline.test.yml).
describe('pipelineAlerts', () => {
  const rules = buildRules(pipelineAlerts, { pack: 'pipeline', catalog: selfCatalog }).groups.flatMap((g) => g.rules);

  it('read only otelkit self-telemetry and the collector\'s otelcol_* metrics, the latter of job otelcol', () => {
    const known = new Set(selfCatalog.map((def) => familyName(def)));
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      expect(names.filter((n) => !known.has(n) && !n.startsWith('otelcol_')), rule.alert).toEqual([]);
      if (names.some((n) => n.startsWith('otelcol_'))) expect(rule.expr, rule.alert).toContain('job="otelcol"');
    }
  });

  it('carry a routable severity and the annotations every otelkit alert carries', () => {
    expect(rules.length).toBe(6);
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels['severity']);
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
    }
  });
});
