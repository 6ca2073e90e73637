import type { DashboardSpec } from '@otelkit/node/artifacts';

const COUNT = '{{eventstore.operation.duration:count}}';
const rate = (selector: string, by: string): string => `sum by (${by}) (rate(${COUNT}${selector}[$__rate_interval]))`;
// `or ... * 0` keeps the ratio defined (0) while no operation of that outcome has happened yet.
const ratio = (outcome: string, by: string): string =>
  `(${rate(`{eventstore_outcome="${outcome}"}`, by)} or ${rate('', by)} * 0) / ${rate('', by)}`;
const quantile = (q: number, selector: string, by: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate({{eventstore.operation.duration:bucket}}${selector}[$__rate_interval])))`;

export const dashboards: readonly DashboardSpec[] = [
  {
    title: 'otelkit / Event store',
    description: 'Event store operations: rate, outcomes, error and conflict ratios, latency, events and batch sizes.',
    mainLabel: 'eventstore.system',
    variableMetric: 'eventstore.operation.duration',
    rows: [
      {
        title: 'Operations',
        panels: [
          { title: 'Operations per second', unit: 'ops', targets: [{ expr: rate('', 'eventstore_system, eventstore_operation'), legend: '{{eventstore_system}} {{eventstore_operation}}' }] },
          { title: 'Operations per second by outcome', unit: 'ops', stacked: true, targets: [{ expr: rate('', 'eventstore_outcome'), legend: '{{eventstore_outcome}}' }] },
          { title: 'Error ratio by operation', unit: 'percentunit', min: 0, targets: [{ expr: ratio('failure', 'eventstore_operation'), legend: '{{eventstore_operation}}' }] },
          { title: 'Append conflict ratio', unit: 'percentunit', min: 0, targets: [{ expr: ratio('conflict', 'eventstore_system'), legend: '{{eventstore_system}}' }] },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            title: 'Append latency p50 / p95 / p99',
            unit: 's',
            targets: [0.5, 0.95, 0.99].map((q) => ({
              expr: quantile(q, '{eventstore_operation="append"}', 'eventstore_system'),
              legend: `{{eventstore_system}} p${Math.round(q * 100)}`,
            })),
          },
          { title: 'p95 latency by operation', unit: 's', targets: [{ expr: quantile(0.95, '', 'eventstore_operation'), legend: '{{eventstore_operation}}' }] },
        ],
      },
      {
        title: 'Events',
        panels: [
          { title: 'Events per second', unit: 'ops', targets: [{ expr: 'sum by (eventstore_system, eventstore_operation) (rate({{eventstore.events}}[$__rate_interval]))', legend: '{{eventstore_system}} {{eventstore_operation}}' }] },
          {
            title: 'Mean events per call',
            unit: 'short',
            targets: [{
              expr: 'sum by (eventstore_operation) (rate({{eventstore.batch.size:sum}}[$__rate_interval])) / sum by (eventstore_operation) (rate({{eventstore.batch.size:count}}[$__rate_interval]))',
              legend: '{{eventstore_operation}}',
            }],
          },
        ],
      },
    ],
  },
];
