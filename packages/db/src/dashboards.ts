import type { DashboardSpec } from '@otelkit/node/artifacts';

const ops = (selector: string, by: string): string =>
  `sum by (${by}) (rate({{db.client.operation.duration:count}}${selector}[$__rate_interval]))`;
const p95 = (by: string): string =>
  `histogram_quantile(0.95, sum by (le, ${by}) (rate({{db.client.operation.duration:bucket}}[$__rate_interval])))`;
const cache = (selector: string): string => `sum by (cache_name) (rate({{cache.operations}}${selector}[$__rate_interval]))`;

export const dashboards: readonly DashboardSpec[] = [
  {
    title: 'otelkit / Database',
    description: 'PostgreSQL and Redis as the service sees them (stable database semantic conventions): operations, errors, latency, the pg pool, transactions, and the cache hit ratio.',
    mainLabel: 'db.system.name',
    variableMetric: 'db.client.operation.duration',
    rows: [
      {
        title: 'Operations',
        panels: [
          { title: 'Operations per second by operation', unit: 'ops', targets: [{ expr: ops('', 'db_system_name, db_operation_name'), legend: '{{db_system_name}} {{db_operation_name}}' }] },
          {
            title: 'Error ratio',
            unit: 'percentunit',
            min: 0,
            targets: [{ expr: `(${ops('{error_type!=""}', 'db_system_name')} or ${ops('', 'db_system_name')} * 0) / ${ops('', 'db_system_name')}`, legend: '{{db_system_name}}' }],
          },
          { title: 'p95 latency by operation and table', unit: 's', targets: [{ expr: p95('db_system_name, db_operation_name, db_collection_name'), legend: '{{db_system_name}} {{db_operation_name}} {{db_collection_name}}' }] },
          { title: 'Errors per second by type', unit: 'ops', targets: [{ expr: ops('{error_type!=""}', 'db_system_name, error_type'), legend: '{{db_system_name}} {{error_type}}' }] },
        ],
      },
      {
        title: 'PostgreSQL pool and transactions',
        panels: [
          {
            title: 'Pool connections: used, idle, max',
            unit: 'short',
            min: 0,
            targets: [
              { expr: 'sum by (db_client_connection_pool_name, db_client_connection_state) ({{db.client.connection.count}})', legend: '{{db_client_connection_pool_name}} {{db_client_connection_state}}' },
              { expr: 'sum by (db_client_connection_pool_name) ({{db.client.connection.max}})', legend: '{{db_client_connection_pool_name}} max' },
            ],
          },
          { title: 'Requests waiting for a connection', unit: 'short', min: 0, targets: [{ expr: 'sum by (db_client_connection_pool_name) ({{db.client.connection.pending_requests}})', legend: '{{db_client_connection_pool_name}}' }] },
          { title: 'Transactions per second by outcome', unit: 'ops', stacked: true, targets: [{ expr: 'sum by (db_transaction_outcome) (rate({{db.client.transactions}}[$__rate_interval]))', legend: '{{db_transaction_outcome}}' }] },
        ],
      },
      {
        title: 'Cache',
        panels: [
          { title: 'Lookups per second by outcome', unit: 'ops', stacked: true, targets: [{ expr: 'sum by (cache_name, cache_outcome) (rate({{cache.operations}}[$__rate_interval]))', legend: '{{cache_name}} {{cache_outcome}}' }] },
          { title: 'Hit ratio', unit: 'percentunit', min: 0, max: 1, targets: [{ expr: `(${cache('{cache_outcome="hit"}')} or ${cache('')} * 0) / ${cache('')}`, legend: '{{cache_name}}' }] },
        ],
      },
    ],
  },
];
