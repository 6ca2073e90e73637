import type { AlertSpec, DashboardSpec } from '../artifacts/types.js';
import type { Catalog } from '../catalog.js';
import { SERVER_JOBS } from './jobs.js';

// Redis seen from the server: the collector's redis receiver (INFO every collection interval; collector/receivers.yaml),
// job "redis". The catalog holds the receiver's OTel names, kinds and units (its metadata.yaml), so the collector's
// translation gives the series names: redis.memory.used (By) → redis_memory_used_bytes, redis.uptime (s, monotonic)
// → redis_uptime_seconds_total. test/e2e/servers.test.ts checks that each arrives under that name.

export const redisCatalog: Catalog = [
  { name: 'redis.uptime', kind: 'counter', unit: 's', description: 'Seconds since the server started.', attributes: [] },
  { name: 'redis.clients.connected', kind: 'up_down_counter', unit: '{client}', description: 'Client connections (replicas excluded).', attributes: [] },
  { name: 'redis.clients.blocked', kind: 'up_down_counter', unit: '{client}', description: 'Clients waiting on a blocking call (BLPOP, ...).', attributes: [] },
  { name: 'redis.memory.used', kind: 'gauge', unit: 'By', description: 'Bytes allocated by Redis\'s allocator.', attributes: [] },
  { name: 'redis.memory.rss', kind: 'gauge', unit: 'By', description: 'Bytes of the process as the OS sees them.', attributes: [] },
  { name: 'redis.maxmemory', kind: 'gauge', unit: 'By', description: 'The maxmemory setting; 0 means no limit (enabled in collector/receivers.yaml).', attributes: [] },
  { name: 'redis.commands.processed', kind: 'counter', unit: '{command}', description: 'Commands processed.', attributes: [] },
  { name: 'redis.keyspace.hits', kind: 'counter', unit: '{hit}', description: 'Successful key lookups.', attributes: [] },
  { name: 'redis.keyspace.misses', kind: 'counter', unit: '{miss}', description: 'Failed key lookups.', attributes: [] },
  { name: 'redis.keys.evicted', kind: 'counter', unit: '{key}', description: 'Keys evicted because of the maxmemory limit.', attributes: [] },
  { name: 'redis.keys.expired', kind: 'counter', unit: '{event}', description: 'Key expiration events.', attributes: [] },
  { name: 'redis.connections.received', kind: 'counter', unit: '{connection}', description: 'Connections accepted.', attributes: [] },
  { name: 'redis.connections.rejected', kind: 'counter', unit: '{connection}', description: 'Connections rejected because of the maxclients limit.', attributes: [] },
  { name: 'redis.db.keys', kind: 'gauge', unit: '{key}', description: 'Keys per database.', attributes: [{ key: 'db', description: 'Database index' }] },
  { name: 'redis.net.input', kind: 'counter', unit: 'By', description: 'Bytes received from the network.', attributes: [] },
  { name: 'redis.net.output', kind: 'counter', unit: 'By', description: 'Bytes sent to the network.', attributes: [] },
  {
    name: 'redis.cpu.time', kind: 'counter', unit: 's', description: 'CPU seconds consumed, by state.',
    attributes: [{ key: 'state', values: ['sys', 'sys_children', 'sys_main_thread', 'user', 'user_children', 'user_main_thread'] }],
  },
];

const W = '$__rate_interval';
const BY = 'job, instance';
const perSecond = (metric: string): string => `sum by (${BY}) (rate({{${metric}}}[${W}]))`;

export const redisDashboard: DashboardSpec = {
  id: 'redis',
  title: 'otelkit / Redis',
  description: `Redis seen from the server (the collector's redis receiver, job "${SERVER_JOBS.redis}"): uptime, clients, memory against maxmemory, commands, hit ratio, evictions, rejected connections, keys. The client side and the application's cache hit ratio are on the db pack's dashboard.`,
  tags: ['servers'],
  variableMetric: 'redis.uptime',
  rows: [
    {
      title: 'Availability and clients',
      panels: [
        { title: 'Uptime', kind: 'stat', unit: 's', width: 6, targets: [{ expr: `max by (${BY}) ({{redis.uptime}})`, legend: '{{instance}}' }] },
        { title: 'Connected clients', kind: 'stat', width: 6, targets: [{ expr: `max by (${BY}) ({{redis.clients.connected}})`, legend: '{{instance}}' }] },
        {
          title: 'Clients connected and blocked',
          targets: [
            { expr: `max by (${BY}) ({{redis.clients.connected}})`, legend: 'connected {{instance}}' },
            { expr: `max by (${BY}) ({{redis.clients.blocked}})`, legend: 'blocked {{instance}}' },
          ],
        },
      ],
    },
    {
      title: 'Memory',
      panels: [
        {
          title: 'Memory used, RSS and maxmemory',
          unit: 'bytes',
          targets: [
            { expr: `max by (${BY}) ({{redis.memory.used}})`, legend: 'used {{instance}}' },
            { expr: `max by (${BY}) ({{redis.memory.rss}})`, legend: 'rss {{instance}}' },
            { expr: `max by (${BY}) ({{redis.maxmemory}})`, legend: 'maxmemory {{instance}} (0: no limit)' },
          ],
        },
        {
          title: 'Evicted and expired keys per second',
          targets: [
            { expr: perSecond('redis.keys.evicted'), legend: 'evicted {{instance}}' },
            { expr: perSecond('redis.keys.expired'), legend: 'expired {{instance}}' },
          ],
        },
      ],
    },
    {
      title: 'Work',
      panels: [
        { title: 'Commands per second', unit: 'ops', targets: [{ expr: perSecond('redis.commands.processed'), legend: '{{instance}}' }] },
        {
          title: 'Keyspace hit ratio',
          unit: 'percentunit', min: 0, max: 1,
          targets: [{ expr: `${perSecond('redis.keyspace.hits')} / (${perSecond('redis.keyspace.hits')} + ${perSecond('redis.keyspace.misses')})`, legend: '{{instance}}' }],
        },
        {
          title: 'Connections accepted and rejected per second',
          targets: [
            { expr: perSecond('redis.connections.received'), legend: 'accepted {{instance}}' },
            { expr: perSecond('redis.connections.rejected'), legend: 'rejected {{instance}}' },
          ],
        },
        { title: 'Keys by database', targets: [{ expr: `max by (${BY}, db) ({{redis.db.keys}})`, legend: '{{instance}} db{{db}}' }] },
        {
          title: 'Network bytes per second',
          unit: 'Bps',
          targets: [
            { expr: perSecond('redis.net.input'), legend: 'in {{instance}}' },
            { expr: perSecond('redis.net.output'), legend: 'out {{instance}}' },
          ],
        },
        { title: 'CPU cores in use', min: 0, targets: [{ expr: perSecond('redis.cpu.time'), legend: '{{instance}}' }] },
      ],
    },
  ],
};

export const redisAlerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitRedisDown',
    // The receiver reports nothing while it cannot reach Redis, and the collector's exporter keeps serving the last
    // values until metric_expiration: a server is down once its uptime stops advancing (or its series are gone),
    // having advanced within the last hour.
    expr: `max by (${BY}) (max_over_time({{redis.uptime}}[1h]))\nunless max by (${BY}) (changes({{redis.uptime}}[2m]) > 0)`,
    for: '1m',
    severity: 'critical',
    summary: 'Redis {{ $labels.instance }} is down or unreachable from the collector.',
    description: 'For 3 minutes the collector\'s redis receiver has had no answer from this server (its uptime stopped advancing): clients cannot reach it either, or see a cold cache after it returns.',
    runbook: 'Check the redis-server process and its log (out of memory, the OOM killer, a failed RDB/AOF load), then the network path and the receiver\'s endpoint and password (the collector\'s log names the error).',
  },
  {
    alert: 'OtelkitRedisMemoryNearMax',
    expr: `max by (${BY}) ({{redis.memory.used}}) / max by (${BY}) ({{redis.maxmemory}} > 0) > 0.9`,
    for: '5m',
    severity: 'warning',
    summary: 'Redis {{ $labels.instance }} uses {{ $value | humanizePercentage }} of maxmemory.',
    description: 'Used memory has been over 90% of maxmemory for 5 minutes: at the limit Redis evicts keys by its maxmemory-policy, or refuses writes under noeviction.',
    runbook: 'See what grows (dashboard "Keys by database"), check TTLs on cache keys, raise maxmemory if the host has room, or choose an eviction policy (allkeys-lru for a pure cache).',
  },
  {
    alert: 'OtelkitRedisEvictions',
    expr: `sum by (${BY}) (increase({{redis.keys.evicted}}[5m])) > 0`,
    for: '10m',
    severity: 'warning',
    summary: 'Redis {{ $labels.instance }} evicted {{ $value | humanize }} keys in 5 minutes.',
    description: 'Redis has been evicting keys for 10 minutes because it is at maxmemory: cached data is dropped before its TTL, so the hit ratio and the database behind the cache suffer.',
    runbook: 'Compare memory used with maxmemory (OtelkitRedisMemoryNearMax); give Redis more memory, shorten TTLs or cache less. For data that must not disappear, use noeviction and a separate instance.',
  },
  {
    alert: 'OtelkitRedisRejectedConnections',
    expr: `sum by (${BY}) (increase({{redis.connections.rejected}}[5m])) > 0`,
    for: '0m',
    severity: 'warning',
    summary: 'Redis {{ $labels.instance }} rejected {{ $value | humanize }} connections in 5 minutes.',
    description: 'Redis refused connections because maxclients was reached: those clients got errors.',
    runbook: 'Check the connected clients panel for a leak (a client opening connections without closing them) and the clients\' pool sizes; raise maxclients (and the file descriptor limit) if the load is legitimate.',
  },
];
