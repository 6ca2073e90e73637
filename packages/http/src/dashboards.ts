import type { DashboardSpec } from '@otelkit/node/artifacts';

const server = (selector: string, by: string): string =>
  `sum by (${by}) (rate({{http.server.request.duration:count}}${selector}[$__rate_interval]))`;
const client = (selector: string, by: string): string =>
  `sum by (${by}) (rate({{http.client.request.duration:count}}${selector}[$__rate_interval]))`;
const quantile = (metric: string, q: number, by: string): string =>
  `histogram_quantile(${q}, sum by (${['le', by].filter(Boolean).join(', ')}) (rate({{${metric}:bucket}}[$__rate_interval])))`;

export const dashboards: readonly DashboardSpec[] = [
  {
    title: 'otelkit / HTTP',
    description: 'HTTP server and client requests (stable semantic conventions): rate, 5xx ratio, latency.',
    mainLabel: 'http.request.method',
    variableMetric: 'http.server.request.duration',
    rows: [
      {
        title: 'Server',
        panels: [
          { title: 'Requests per second by status', unit: 'reqps', stacked: true, targets: [{ expr: server('', 'http_response_status_code'), legend: '{{http_response_status_code}}' }] },
          { title: 'Requests per second by route', unit: 'reqps', targets: [{ expr: server('', 'http_request_method, http_route'), legend: '{{http_request_method}} {{http_route}}' }] },
          {
            title: '5xx ratio',
            unit: 'percentunit',
            min: 0,
            targets: [{ expr: `(${server('{http_response_status_code=~"5.."}', 'job')} or ${server('', 'job')} * 0) / ${server('', 'job')}`, legend: '{{job}}' }],
          },
          {
            title: 'Latency p50 / p95 / p99',
            unit: 's',
            targets: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile('http.server.request.duration', q, ''), legend: `p${Math.round(q * 100)}` })),
          },
          { title: 'p95 latency by route', unit: 's', width: 24, targets: [{ expr: quantile('http.server.request.duration', 0.95, 'http_route'), legend: '{{http_route}}' }] },
        ],
      },
      {
        title: 'Client',
        panels: [
          { title: 'Outbound requests per second by host', unit: 'reqps', targets: [{ expr: client('', 'server_address'), legend: '{{server_address}}' }] },
          {
            title: 'Outbound error ratio by host',
            unit: 'percentunit',
            min: 0,
            targets: [{ expr: `(${client('{error_type!=""}', 'server_address')} or ${client('', 'server_address')} * 0) / ${client('', 'server_address')}`, legend: '{{server_address}}' }],
          },
          { title: 'Outbound p95 latency by host', unit: 's', width: 24, targets: [{ expr: quantile('http.client.request.duration', 0.95, 'server_address'), legend: '{{server_address}}' }] },
        ],
      },
    ],
  },
];
