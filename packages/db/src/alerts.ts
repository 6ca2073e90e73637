import type { AlertSpec } from '@otelkit/node/artifacts';

const OPS = '{{db.client.operation.duration:count}}';
const POOL = 'job, db_client_connection_pool_name';
const CACHE = '{{cache.operations}}';

export const alerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitDbPoolSaturated',
    expr: `sum by (${POOL}) ({{db.client.connection.count}}{db_client_connection_state="used"}) / sum by (${POOL}) ({{db.client.connection.max}}) >= 0.9`,
    for: '10m',
    severity: 'warning',
    summary: '{{ $labels.job }} uses {{ $value | humanizePercentage }} of pool {{ $labels.db_client_connection_pool_name }}.',
    description: '{{ $labels.job }} has had at least 90% of the connections its pool {{ $labels.db_client_connection_pool_name }} may open in use for 10 minutes; the next burst waits for a connection.',
    runbook: 'Look for slow queries (otelkit / Database, p95 by operation) and transactions held open across awaits; raise the pool max only if PostgreSQL has connections to spare (max_connections over every instance).',
  },
  {
    alert: 'OtelkitDbPendingConnections',
    expr: `sum by (${POOL}) ({{db.client.connection.pending_requests}}) > 0`,
    for: '10m',
    severity: 'warning',
    summary: '{{ $labels.job }} has had requests waiting for a connection of {{ $labels.db_client_connection_pool_name }} for 10 minutes.',
    description: 'Every evaluation over 10 minutes found requests of {{ $labels.job }} queued for a connection of pool {{ $labels.db_client_connection_pool_name }} (now {{ $value }}): the pool is too small for the load, or connections are held too long.',
    runbook: 'Check pool saturation and query latency on otelkit / Database; find code that holds a client across slow work (pool.connect() without release), then size the pool.',
  },
  {
    alert: 'OtelkitDbSlowQueries',
    expr: `histogram_quantile(0.95, sum by (job, db_system_name, le) (rate({{db.client.operation.duration:bucket}}[5m]))) > 0.25
and sum by (job, db_system_name) (increase(${OPS}[5m])) >= 50`,
    for: '10m',
    severity: 'warning',
    summary: '{{ $labels.job }} {{ $labels.db_system_name }} operations p95 is {{ $value | humanizeDuration }}.',
    description: 'The 95th percentile of {{ $labels.db_system_name }} client operation duration of {{ $labels.job }} has been above 250 ms for 10 minutes, with at least 50 operations per 5 minutes.',
    runbook: 'Find the slow operation and table on otelkit / Database (p95 by operation), then the slowest spans in Jaeger (db.query.text); check locks and missing indexes on the server side.',
  },
  {
    alert: 'OtelkitDbErrorRatioHigh',
    expr: `(sum by (job, db_system_name) (rate(${OPS}{error_type!=""}[5m])) / sum by (job, db_system_name) (rate(${OPS}[5m]))) > 0.05
and sum by (job, db_system_name) (increase(${OPS}[5m])) >= 20`,
    for: '5m',
    severity: 'critical',
    summary: '{{ $labels.job }} sees {{ $value | humanizePercentage }} of {{ $labels.db_system_name }} operations fail.',
    description: 'More than 5% of {{ $labels.db_system_name }} client operations of {{ $labels.job }} failed over 5 minutes, with at least 20 operations.',
    runbook: 'The error.type label says which error (a SQLSTATE such as 40001 or 57P01, or the client error class); check that the server is up and reachable, then the failing operations\' spans.',
  },
  {
    alert: 'OtelkitCacheHitRatioLow',
    expr: `(sum by (job, cache_name) (rate(${CACHE}{cache_outcome="hit"}[15m])) or sum by (job, cache_name) (rate(${CACHE}[15m])) * 0) / sum by (job, cache_name) (rate(${CACHE}[15m])) < 0.5
and sum by (job, cache_name) (increase(${CACHE}[15m])) >= 100`,
    for: '15m',
    severity: 'warning',
    summary: 'Cache {{ $labels.cache_name }} of {{ $labels.job }} hits {{ $value | humanizePercentage }} of lookups.',
    description: 'Fewer than half of the lookups of cache {{ $labels.cache_name }} in {{ $labels.job }} were hits over 15 minutes, with at least 100 lookups: reads fall through to the database.',
    runbook: 'Check whether the cache was flushed or restarted (Redis evictions and memory), whether entries expire too early, and whether keys are built consistently; cache_outcome="error" counts lookups the cache could not answer.',
  },
];
