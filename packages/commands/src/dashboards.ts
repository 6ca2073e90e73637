import type { DashboardSpec, PanelSpec } from '@otelkit/node/artifacts';

// Counts come from the duration histogram's `_count` by outcome (DESIGN.md), so every panel reads one family.
const COUNT = '{{command.duration:count}}';
const rate = (selector: string, by: string): string => `sum by (${by}) (rate(${COUNT}${selector}[$__rate_interval]))`;
// `or ... * 0` keeps the ratio defined (0) while no command of that outcome has happened yet.
const ratio = (outcome: string, by: string): string =>
  `(${rate(`{command_outcome="${outcome}"}`, by)} or ${rate('', by)} * 0) / ${rate('', by)}`;
const quantile = (q: number, by: string): string =>
  `histogram_quantile(${q}, sum by (le${by === '' ? '' : `, ${by}`}) (rate({{command.duration:bucket}}[$__rate_interval])))`;

const latency: PanelSpec = {
  title: 'Latency p50 / p95 / p99',
  unit: 's',
  targets: [
    { expr: quantile(0.5, ''), legend: 'p50' },
    { expr: quantile(0.95, ''), legend: 'p95' },
    { expr: quantile(0.99, ''), legend: 'p99' },
  ],
};

export const dashboards: readonly DashboardSpec[] = [
  {
    title: 'otelkit / Commands',
    description: 'Command handling: rate, outcomes, error and conflict ratios, latency, concurrency, retries.',
    mainLabel: 'command.type',
    variableMetric: 'command.duration',
    rows: [
      {
        title: 'Throughput and outcomes',
        panels: [
          { title: 'Commands per second by type', unit: 'ops', targets: [{ expr: rate('', 'command_type'), legend: '{{command_type}}' }] },
          { title: 'Commands per second by outcome', unit: 'ops', stacked: true, targets: [{ expr: rate('', 'command_outcome'), legend: '{{command_outcome}}' }] },
          { title: 'Error ratio (failure) by type', unit: 'percentunit', min: 0, width: 8, targets: [{ expr: ratio('failure', 'command_type'), legend: '{{command_type}}' }] },
          { title: 'Conflict ratio by type', unit: 'percentunit', min: 0, width: 8, targets: [{ expr: ratio('conflict', 'command_type'), legend: '{{command_type}}' }] },
          { title: 'Rejection ratio by type', unit: 'percentunit', min: 0, width: 8, targets: [{ expr: ratio('rejected', 'command_type'), legend: '{{command_type}}' }] },
        ],
      },
      {
        title: 'Latency',
        panels: [
          latency,
          { title: 'p95 latency by type', unit: 's', targets: [{ expr: quantile(0.95, 'command_type'), legend: '{{command_type}}' }] },
        ],
      },
      {
        title: 'Concurrency and retries',
        panels: [
          { title: 'Commands in flight by type', unit: 'short', targets: [{ expr: 'sum by (command_type) ({{command.active}})', legend: '{{command_type}}' }] },
          { title: 'Retries per second by reason', unit: 'ops', targets: [{ expr: 'sum by (command_type, retry_reason) (rate({{command.retries}}[$__rate_interval]))', legend: '{{command_type}} {{retry_reason}}' }] },
        ],
      },
    ],
  },
];
