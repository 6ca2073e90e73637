import type { DashboardSpec } from '@otelkit/node/artifacts';

const events = (selector: string): string =>
  `sum by (projection_name) (rate({{projection.events}}${selector}[$__rate_interval]))`;
const quantile = (q: number): string =>
  `histogram_quantile(${q}, sum by (le, projection_name) (rate({{projection.duration:bucket}}[$__rate_interval])))`;

export const dashboards: readonly DashboardSpec[] = [
  {
    title: 'otelkit / Projections',
    description: 'Projections: status, lag in seconds and events, throughput by outcome, handling latency, checkpoints.',
    mainLabel: 'projection.name',
    variableMetric: 'projection.events',
    rows: [
      {
        title: 'Status and lag',
        panels: [
          {
            title: 'Status',
            kind: 'state-timeline',
            width: 24,
            states: {
              metric: 'projection.status',
              by: ['projection.name'],
              colors: { starting: 'blue', running: 'green', catching_up: 'yellow', stalled: 'orange', failed: 'red', stopped: 'text' },
            },
          },
          { title: 'Lag (seconds behind the event time)', unit: 's', targets: [{ expr: 'max by (projection_name) ({{projection.lag}})', legend: '{{projection_name}}' }] },
          { title: 'Lag (events behind the store head)', unit: 'short', targets: [{ expr: 'max by (projection_name) ({{projection.lag.events}})', legend: '{{projection_name}}' }] },
        ],
      },
      {
        title: 'Throughput',
        panels: [
          { title: 'Events per second by projection', unit: 'ops', targets: [{ expr: events(''), legend: '{{projection_name}}' }] },
          { title: 'Events per second by outcome', unit: 'ops', stacked: true, targets: [{ expr: 'sum by (projection_outcome) (rate({{projection.events}}[$__rate_interval]))', legend: '{{projection_outcome}}' }] },
          { title: 'Failed events per second', unit: 'ops', targets: [{ expr: `${events('{projection_outcome="failed"}')} or ${events('')} * 0`, legend: '{{projection_name}}' }] },
          { title: 'Checkpoints per second', unit: 'ops', targets: [{ expr: 'sum by (projection_name) (rate({{projection.checkpoints}}[$__rate_interval]))', legend: '{{projection_name}}' }] },
        ],
      },
      {
        title: 'Latency',
        panels: [
          { title: 'Handling latency p95', unit: 's', targets: [{ expr: quantile(0.95), legend: '{{projection_name}}' }] },
          { title: 'Handling latency p99', unit: 's', targets: [{ expr: quantile(0.99), legend: '{{projection_name}}' }] },
        ],
      },
    ],
  },
];
