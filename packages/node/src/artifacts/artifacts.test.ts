import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog.js';
import { buildDashboard, buildRules, expandPromQL, metricNamesIn, metricTable, replaceCatalogSection, rulesToYaml } from './index.js';
import type { DashboardSpec } from './types.js';

const catalog = [
  {
    name: 'job.duration', kind: 'histogram', unit: 's', description: 'Duration | of jobs.',
    attributes: [{ key: 'job.type' }, { key: 'job.outcome', values: ['ok', 'failed'] }, { key: 'error.type', optional: true }],
  },
  { name: 'job.retries', kind: 'counter', unit: '{retry}', description: 'Retries.', attributes: [{ key: 'job.type' }] },
  { name: 'job.active', kind: 'up_down_counter', unit: '{job}', description: 'In flight.', attributes: [{ key: 'job.type' }] },
  {
    name: 'worker.state', kind: 'state_set', unit: '{state}', description: 'Worker state.', stateAttribute: 'worker.state',
    attributes: [{ key: 'worker.name' }, { key: 'worker.state', values: ['idle', 'busy', 'dead'] }],
  },
] as const satisfies Catalog;

describe('expandPromQL', () => {
  it('resolves catalog names to the collector\'s Prometheus names, with histogram parts and merged selectors', () => {
    expect(expandPromQL('rate({{job.duration:count}}{job_outcome="failed"}[5m])', { catalog })).toBe(
      'rate(job_duration_seconds_count{job_outcome="failed"}[5m])',
    );
    expect(expandPromQL('{{job.retries}} + {{job.active}}', { catalog })).toBe('job_retries_total + job_active');
    expect(expandPromQL('{{job.duration:bucket}}{le="1"}', { catalog, namespace: 'bank', matchers: () => ['job=~"$job"'] })).toBe(
      'bank_job_duration_seconds_bucket{job=~"$job", le="1"}',
    );
  });

  it('refuses names, parts and labels the catalog does not define', () => {
    expect(() => expandPromQL('{{job.missing}}', { catalog })).toThrow(/job\.missing, which no catalog defines/);
    expect(() => expandPromQL('{{job.retries:count}}', { catalog })).toThrow(/is a counter, not a histogram/);
    expect(() => expandPromQL('{{job.retries}}{job_outcome="ok"}', { catalog })).toThrow(/label job_outcome is not an attribute of job\.retries/);
  });
});

describe('metricNamesIn', () => {
  it('finds metric names, not functions, labels, keywords, durations or numbers', () => {
    const expr = 'histogram_quantile(0.95, sum by (le, job) (rate(a_bucket{x="y z"}[5m]))) > 1e3 and on(job) sum without (le) (b_total offset 5m) or vector(0)';
    expect(metricNamesIn(expr).sort()).toEqual(['a_bucket', 'b_total']);
  });
});

const spec: DashboardSpec = {
  title: 'Jobs',
  mainLabel: 'job.type',
  variableMetric: 'job.duration',
  rows: [
    {
      title: 'Rates',
      panels: [
        { title: 'Rate', unit: 'ops', targets: [{ expr: 'sum by (job_type) (rate({{job.duration:count}}[$__rate_interval]))', legend: '{{job_type}}' }] },
        { title: 'Workers', kind: 'state-timeline', width: 24, states: { metric: 'worker.state', by: ['worker.name'], colors: { dead: 'red' } } },
        { title: 'Retries', width: 16, targets: [{ expr: 'sum(rate({{job.retries}}[$__rate_interval]))' }] },
      ],
    },
  ],
};

describe('buildDashboard', () => {
  const dashboard = buildDashboard(spec, { pack: 'jobs', catalog });
  const panels = dashboard['panels'] as { type: string; title: string; gridPos: Record<string, number>; targets?: { expr: string }[]; fieldConfig?: { defaults: { mappings: unknown[] } } }[];

  it('is deterministic, with a UID from the pack name and the datasource as a variable', () => {
    expect(JSON.stringify(buildDashboard(spec, { pack: 'jobs', catalog }))).toBe(JSON.stringify(dashboard));
    expect(dashboard['uid']).toBe('otelkit-jobs');
    const vars = (dashboard['templating'] as { list: { name: string; query?: string }[] }).list;
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'job', 'instance', 'job_type']);
    expect(vars[3]?.query).toBe('label_values(job_duration_seconds_count{job=~"$job", instance=~"$instance"}, job_type)');
    for (const p of panels.filter((x) => x.type !== 'row')) expect(p).toMatchObject({ datasource: { uid: '${datasource}' } });
  });

  it('filters every query by the variables, the main label only where the metric has it', () => {
    const [, rate, , retries] = panels;
    expect(rate?.targets?.[0]?.expr).toBe(
      'sum by (job_type) (rate(job_duration_seconds_count{job=~"$job", instance=~"$instance", job_type=~"$job_type"}[$__rate_interval]))',
    );
    expect(retries?.targets?.[0]?.expr).toContain('job_retries_total{job=~"$job", instance=~"$instance", job_type=~"$job_type"}');
  });

  it('draws a state set as one numeric series per entity with the states from the catalog as value mappings', () => {
    const timeline = panels.find((p) => p.type === 'state-timeline');
    expect(timeline?.targets?.[0]?.expr).toBe(
      ['idle', 'busy', 'dead']
        .map((s, i) => `(max by (job, instance, worker_name) (worker_state{job=~"$job", instance=~"$instance", worker_state="${s}"} == 1) * ${i})`)
        .join(' or '),
    );
    expect(timeline?.fieldConfig?.defaults.mappings).toEqual([
      { type: 'value', options: { 0: { text: 'idle', color: 'green', index: 0 }, 1: { text: 'busy', color: 'red', index: 1 }, 2: { text: 'dead', color: 'red', index: 2 } } },
    ]);
  });

  it('lays panels out left to right, wrapping at 24 columns', () => {
    expect(panels.map((p) => [p.gridPos['x'], p.gridPos['y']])).toEqual([[0, 0], [0, 1], [0, 9], [0, 17]]);
  });

  it('uses namespaced names when the deployment sets a metric namespace', () => {
    const namespaced = JSON.stringify(buildDashboard(spec, { pack: 'jobs', catalog, namespace: 'bank' }));
    expect(namespaced).toContain('bank_job_duration_seconds_count{job=~');
    expect(namespaced).toContain('label_values(bank_job_duration_seconds_count, job)');
    expect(namespaced).not.toMatch(/[^_]job_duration_seconds/);
  });

  it('rejects a main label the variable metric does not carry', () => {
    expect(() => buildDashboard({ ...spec, mainLabel: 'worker.name' }, { pack: 'jobs', catalog })).toThrow(/main label worker\.name/);
  });
});

describe('buildRules', () => {
  const alert = {
    alert: 'JobsFailing', expr: 'sum(rate({{job.duration:count}}{job_outcome="failed"}[5m])) > 1', for: '5m', severity: 'warning',
    summary: 's {{ $labels.job }}', description: 'd', runbook: 'r',
  } as const;

  it('emits one group per pack with severity, pack label and annotations, as YAML Prometheus reads back', () => {
    const text = rulesToYaml(buildRules([alert], { pack: 'jobs', catalog }), 'test');
    expect(text.startsWith('# Generated by `pnpm generate` from test.')).toBe(true);
    expect(parse(text)).toEqual({
      groups: [{
        name: 'otelkit-jobs',
        rules: [{
          alert: 'JobsFailing', expr: 'sum(rate(job_duration_seconds_count{job_outcome="failed"}[5m])) > 1', for: '5m',
          labels: { severity: 'warning', otelkit_pack: 'jobs' }, annotations: { summary: 's {{ $labels.job }}', description: 'd', runbook: 'r' },
        }],
      }],
    });
  });

  it('refuses the same alert twice', () => {
    expect(() => buildRules([alert, alert], { pack: 'jobs', catalog })).toThrow(/JobsFailing is defined twice/);
  });
});

describe('README metric table', () => {
  it('lists OTel and Prometheus names, kind, unit, attributes with values, escaping pipes', () => {
    const table = metricTable(catalog);
    expect(table).toContain('| `job.duration` | `job_duration_seconds` (`_bucket`, `_count`, `_sum`) | histogram | `s` |');
    expect(table).toContain('`job.outcome` (ok, failed) → `job_outcome`');
    expect(table).toContain('`error.type` (optional) → `error_type`');
    expect(table).toContain('| `job.active` | `job_active` | up-down counter |');
    expect(table).toContain('Duration \\| of jobs.');
  });

  it('replaces only the text between the markers', () => {
    const readme = '# x\n\n<!-- catalog:start -->\nold\n<!-- catalog:end -->\n\nafter\n';
    const out = replaceCatalogSection(readme, 'TABLE');
    expect(out).toMatch(/^# x\n\n<!-- catalog:start -->\n<!-- Generated .* -->\n\nTABLE\n\n<!-- catalog:end -->\n\nafter\n$/);
    expect(replaceCatalogSection(out ?? '', 'TABLE')).toBe(out);
    expect(replaceCatalogSection('# no markers', 'TABLE')).toBeUndefined();
  });
});
