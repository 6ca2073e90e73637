import type { DashboardSpec } from '@otelkit/node/artifacts';

const calls = (selector: string, by: string): string =>
  `sum by (${by}) (rate({{circuit_breaker.calls}}${selector}[$__rate_interval]))`;
const quantile = (q: number): string =>
  `histogram_quantile(${q}, sum by (le, circuit_breaker_name) (rate({{circuit_breaker.call.duration:bucket}}[$__rate_interval])))`;

export const dashboards: readonly DashboardSpec[] = [
  {
    title: 'otelkit / Circuit breakers',
    description: 'Circuit breakers (opossum, cockatiel): state over time, transitions, calls by outcome, call latency.',
    mainLabel: 'circuit_breaker.name',
    variableMetric: 'circuit_breaker.calls',
    rows: [
      {
        title: 'State',
        panels: [
          {
            title: 'State',
            kind: 'state-timeline',
            width: 24,
            states: {
              metric: 'circuit_breaker.state',
              by: ['circuit_breaker.name'],
              colors: { closed: 'green', open: 'red', half_open: 'yellow', isolated: 'purple' },
            },
          },
          { title: 'Transitions per minute by state entered', unit: 'short', targets: [{ expr: 'sum by (circuit_breaker_name, circuit_breaker_state) (rate({{circuit_breaker.transitions}}[$__rate_interval])) * 60', legend: '{{circuit_breaker_name}} → {{circuit_breaker_state}}' }] },
          {
            title: 'Rejected share of calls',
            unit: 'percentunit',
            min: 0,
            targets: [{ expr: `(${calls('{circuit_breaker_outcome="rejected"}', 'circuit_breaker_name')} or ${calls('', 'circuit_breaker_name')} * 0) / ${calls('', 'circuit_breaker_name')}`, legend: '{{circuit_breaker_name}}' }],
          },
        ],
      },
      {
        title: 'Calls',
        panels: [
          { title: 'Calls per second by outcome', unit: 'ops', stacked: true, targets: [{ expr: calls('', 'circuit_breaker_outcome'), legend: '{{circuit_breaker_outcome}}' }] },
          { title: 'Calls per second by breaker', unit: 'ops', targets: [{ expr: calls('', 'circuit_breaker_name'), legend: '{{circuit_breaker_name}}' }] },
          {
            title: 'Failure share (failure + timeout)',
            unit: 'percentunit',
            min: 0,
            targets: [{ expr: `(${calls('{circuit_breaker_outcome=~"failure|timeout"}', 'circuit_breaker_name')} or ${calls('', 'circuit_breaker_name')} * 0) / ${calls('', 'circuit_breaker_name')}`, legend: '{{circuit_breaker_name}}' }],
          },
          { title: 'Fallbacks per second by trigger', unit: 'ops', stacked: true, targets: [{ expr: 'sum by (circuit_breaker_outcome) (rate({{circuit_breaker.fallbacks}}[$__rate_interval]))', legend: '{{circuit_breaker_outcome}}' }] },
          {
            title: 'Call latency p50 / p95 / p99 (attempted calls)',
            unit: 's',
            targets: [
              { expr: quantile(0.5), legend: '{{circuit_breaker_name}} p50' },
              { expr: quantile(0.95), legend: '{{circuit_breaker_name}} p95' },
              { expr: quantile(0.99), legend: '{{circuit_breaker_name}} p99' },
            ],
          },
        ],
      },
    ],
  },
];
