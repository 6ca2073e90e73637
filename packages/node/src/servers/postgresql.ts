import type { AlertSpec, DashboardSpec } from '../artifacts/types.js';
import type { Catalog } from '../catalog.js';
import { SERVER_JOBS } from './jobs.js';

// PostgreSQL seen from the server: the Prometheus community's postgres_exporter (Debian's 0.11.1, with the queries of
// collector/postgres-exporter/queries.yaml), scraped by the collector's prometheus receiver (collector/receivers.yaml).
// The catalog names each metric as the receiver hands it to the collector's prometheus exporter — the exporter's
// name, kind from its TYPE line, no unit — so the collector's translation gives the series names: counters gain
// `_total` (pg_stat_database_deadlocks → pg_stat_database_deadlocks_total). test/e2e/servers.test.ts checks that each
// arrives under that name.

const SERVER = { key: 'server', description: 'The PostgreSQL address the exporter connects to' } as const;
const DATNAME = { key: 'datname', description: 'Database' } as const;
const TABLE = [SERVER, DATNAME, { key: 'schemaname', description: 'Schema' }, { key: 'relname', description: 'Table' }] as const;

export const postgresqlCatalog: Catalog = [
  { name: 'pg_up', kind: 'gauge', unit: '', description: '1 when the exporter\'s last query reached PostgreSQL, 0 when it could not connect.', attributes: [] },
  { name: 'pg_settings_max_connections', kind: 'gauge', unit: '', description: 'The max_connections setting.', attributes: [SERVER] },
  {
    name: 'pg_stat_activity_count', kind: 'gauge', unit: '', description: 'Client connections by database and state.',
    attributes: [SERVER, DATNAME, { key: 'state', description: 'Backend state: active, idle, idle in transaction, ...' }],
  },
  {
    name: 'pg_stat_activity_max_tx_duration', kind: 'gauge', unit: '', description: 'Age in seconds of the oldest open transaction, by database and state.',
    attributes: [SERVER, DATNAME, { key: 'state' }],
  },
  { name: 'pg_stat_database_xact_commit', kind: 'counter', unit: '', description: 'Transactions committed.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_xact_rollback', kind: 'counter', unit: '', description: 'Transactions rolled back.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_deadlocks', kind: 'counter', unit: '', description: 'Deadlocks detected.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_blks_hit', kind: 'counter', unit: '', description: 'Blocks found in the buffer cache.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_blks_read', kind: 'counter', unit: '', description: 'Blocks read from disk.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_tup_inserted', kind: 'counter', unit: '', description: 'Rows inserted.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_tup_updated', kind: 'counter', unit: '', description: 'Rows updated.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_tup_deleted', kind: 'counter', unit: '', description: 'Rows deleted.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_stat_database_tup_fetched', kind: 'counter', unit: '', description: 'Rows fetched by queries.', attributes: [SERVER, { key: 'datid' }, DATNAME] },
  { name: 'pg_locks_count', kind: 'gauge', unit: '', description: 'Locks held, by database and mode.', attributes: [SERVER, DATNAME, { key: 'mode' }] },
  { name: 'pg_database_size_bytes', kind: 'gauge', unit: '', description: 'Disk space used by each database.', attributes: [SERVER, DATNAME] },
  { name: 'pg_replication_lag', kind: 'gauge', unit: '', description: 'Seconds since the last transaction replayed from the primary; 0 on a primary (queries.yaml).', attributes: [SERVER] },
  { name: 'pg_stat_user_tables_seq_scan', kind: 'counter', unit: '', description: 'Sequential scans per table (queries.yaml).', attributes: TABLE },
  { name: 'pg_stat_user_tables_idx_scan', kind: 'counter', unit: '', description: 'Index scans per table (queries.yaml).', attributes: TABLE },
  { name: 'pg_stat_user_tables_n_live_tup', kind: 'gauge', unit: '', description: 'Estimated live rows per table (queries.yaml).', attributes: TABLE },
  { name: 'pg_stat_user_tables_n_dead_tup', kind: 'gauge', unit: '', description: 'Estimated dead rows per table, not yet vacuumed (queries.yaml).', attributes: TABLE },
];

const W = '$__rate_interval';
const BY = 'job, instance';
/** The collector's prometheus receiver reports each scrape target's health as `up` (here, the exporter's). */
const EXPORTER_UP = `up{job="${SERVER_JOBS.postgresql}"}`;
const perSecond = (metric: string, by: string): string => `sum by (${by}) (rate({{${metric}}}[${W}]))`;

export const postgresqlDashboard: DashboardSpec = {
  id: 'postgresql',
  title: 'otelkit / PostgreSQL',
  description: `PostgreSQL seen from the server (postgres_exporter through the collector, job "${SERVER_JOBS.postgresql}"): availability, connections, transactions, rows, cache, locks, deadlocks, tables and replication. The client side is the db pack's dashboard.`,
  tags: ['servers'],
  variableMetric: 'pg_up',
  rows: [
    {
      title: 'Availability and connections',
      panels: [
        { title: 'Up', kind: 'stat', width: 6, targets: [{ expr: `min by (${BY}) ({{pg_up}})`, legend: '{{instance}}' }] },
        {
          title: 'Connections used, share of max_connections',
          unit: 'percentunit', width: 6, min: 0, max: 1,
          targets: [{ expr: `sum by (${BY}) ({{pg_stat_activity_count}}) / max by (${BY}) ({{pg_settings_max_connections}})`, legend: '{{instance}}' }],
        },
        { title: 'Connections by state', stacked: true, targets: [{ expr: `sum by (state) ({{pg_stat_activity_count}})`, legend: '{{state}}' }] },
      ],
    },
    {
      title: 'Work',
      panels: [
        {
          title: 'Transactions per second',
          unit: 'ops',
          targets: [
            { expr: perSecond('pg_stat_database_xact_commit', 'datname'), legend: 'commit {{datname}}' },
            { expr: perSecond('pg_stat_database_xact_rollback', 'datname'), legend: 'rollback {{datname}}' },
          ],
        },
        {
          title: 'Rows per second',
          unit: 'short',
          targets: [
            { expr: perSecond('pg_stat_database_tup_inserted', 'datname'), legend: 'inserted {{datname}}' },
            { expr: perSecond('pg_stat_database_tup_updated', 'datname'), legend: 'updated {{datname}}' },
            { expr: perSecond('pg_stat_database_tup_deleted', 'datname'), legend: 'deleted {{datname}}' },
            { expr: perSecond('pg_stat_database_tup_fetched', 'datname'), legend: 'fetched {{datname}}' },
          ],
        },
        {
          title: 'Buffer cache hit ratio',
          unit: 'percentunit', min: 0, max: 1,
          targets: [{ expr: `${perSecond('pg_stat_database_blks_hit', 'datname')} / (${perSecond('pg_stat_database_blks_hit', 'datname')} + ${perSecond('pg_stat_database_blks_read', 'datname')})`, legend: '{{datname}}' }],
        },
        { title: 'Locks by mode', targets: [{ expr: `sum by (mode) ({{pg_locks_count}})`, legend: '{{mode}}' }] },
        { title: 'Deadlocks (last 5 minutes)', min: 0, targets: [{ expr: `sum by (datname) (increase({{pg_stat_database_deadlocks}}[5m]))`, legend: '{{datname}}' }] },
        { title: 'Oldest open transaction', unit: 's', targets: [{ expr: `max by (datname) ({{pg_stat_activity_max_tx_duration}})`, legend: '{{datname}}' }] },
      ],
    },
    {
      title: 'Storage, tables and replication',
      panels: [
        { title: 'Database size', unit: 'bytes', targets: [{ expr: `max by (datname) ({{pg_database_size_bytes}})`, legend: '{{datname}}' }] },
        { title: 'Replication lag', unit: 's', targets: [{ expr: `max by (${BY}) ({{pg_replication_lag}})`, legend: '{{instance}}' }] },
        {
          title: 'Scans per second by table (top 10)',
          unit: 'ops',
          targets: [
            { expr: `topk(10, ${perSecond('pg_stat_user_tables_seq_scan', 'datname, relname')})`, legend: 'seq {{datname}}.{{relname}}' },
            { expr: `topk(10, ${perSecond('pg_stat_user_tables_idx_scan', 'datname, relname')})`, legend: 'index {{datname}}.{{relname}}' },
          ],
        },
        {
          title: 'Live and dead rows by table (top 10)',
          targets: [
            { expr: `topk(10, max by (datname, relname) ({{pg_stat_user_tables_n_live_tup}}))`, legend: 'live {{datname}}.{{relname}}' },
            { expr: `topk(10, max by (datname, relname) ({{pg_stat_user_tables_n_dead_tup}}))`, legend: 'dead {{datname}}.{{relname}}' },
          ],
        },
      ],
    },
  ],
};

export const postgresqlAlerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitPostgresDown',
    // pg_up says the exporter cannot reach PostgreSQL; `up` that the collector cannot reach the exporter.
    expr: `max by (${BY}) ({{pg_up}}) == 0\nor max by (${BY}) (${EXPORTER_UP}) == 0`,
    for: '1m',
    severity: 'critical',
    summary: 'PostgreSQL behind exporter {{ $labels.instance }} is down or unreachable.',
    description: 'For a minute the PostgreSQL exporter has not reached its database (pg_up 0), or the collector has not reached the exporter (up 0): nothing can query or write that database.',
    runbook: 'Check the server process and its log (out of disk, out of memory, a crash, a failover), then the exporter\'s DATA_SOURCE_NAME and network path; `pg_isready -h <host> -p <port>` from the exporter\'s host.',
  },
  {
    alert: 'OtelkitPostgresConnectionsNearMax',
    expr: `sum by (${BY}) ({{pg_stat_activity_count}}) / max by (${BY}) ({{pg_settings_max_connections}}) > 0.8`,
    for: '5m',
    severity: 'warning',
    summary: 'PostgreSQL {{ $labels.instance }} uses {{ $value | humanizePercentage }} of max_connections.',
    description: 'Over 80% of max_connections have been in use for 5 minutes; at the limit new connections are refused ("too many clients already").',
    runbook: 'See which databases and states hold them (dashboard "Connections by state"): many idle ones mean oversized client pools (the db pack\'s pool panels); many idle in transaction mean a client not committing. Put a pooler (PgBouncer) in front before raising max_connections.',
  },
  {
    alert: 'OtelkitPostgresDeadlocks',
    expr: `sum by (${BY}, datname) (increase({{pg_stat_database_deadlocks}}[5m])) > 0`,
    for: '0m',
    severity: 'warning',
    summary: 'PostgreSQL {{ $labels.instance }} detected deadlocks in database {{ $labels.datname }}.',
    description: 'PostgreSQL aborted transactions to break deadlocks in the last 5 minutes; the clients saw "deadlock detected" errors.',
    runbook: 'The server log names the statements of each deadlock (log_lock_waits helps). Make transactions take row locks in one consistent order, keep them short, and retry on SQLSTATE 40P01.',
  },
  {
    alert: 'OtelkitPostgresReplicationLag',
    expr: `max by (${BY}) ({{pg_replication_lag}}) > 30`,
    for: '5m',
    severity: 'warning',
    summary: 'PostgreSQL replica {{ $labels.instance }} is {{ $value | humanizeDuration }} behind its primary.',
    description: 'For 5 minutes the replica\'s last replayed transaction has been over 30 s old: reads from it are stale. On an idle primary the lag also grows while nothing is written.',
    runbook: 'Check the replica\'s replay (pg_stat_wal_receiver, its log), the network to the primary, long queries on the replica holding back replay (max_standby_streaming_delay), and the primary\'s write volume.',
  },
];
