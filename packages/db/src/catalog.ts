import type { AttributeValues, Catalog } from '@otelkit/node/kit';

// Stable database semantic conventions (`db.*`, seconds), as the upstream pg/ioredis/redis instrumentations emit
// them since they moved to the stable names; the conventions' own names carry no namespace, like the http pack's.
// Metric attributes are bounded: the operation is the statement's first keyword (or the Redis command), the
// collection the table it names; the query text goes on spans only.
export const catalog = [
  {
    name: 'db.client.operation.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of database client operations (PostgreSQL queries, Redis commands).',
    attributes: [
      { key: 'db.system.name', values: ['postgresql', 'redis'] },
      { key: 'db.operation.name', description: 'The SQL statement\'s first keyword (`SELECT`, `INSERT`, `COMMIT`, … or `_OTHER`), or the Redis command (`GET`, `HSET`, …).' },
      { key: 'db.collection.name', optional: true, description: 'The table a `SELECT … FROM`, `INSERT INTO`, `UPDATE` or `DELETE FROM` names first; absent for other statements and for Redis.' },
      { key: 'db.namespace', optional: true, description: 'The PostgreSQL database, or the Redis database index.' },
      { key: 'server.address' },
      { key: 'server.port' },
      { key: 'error.type', optional: true, description: 'The SQLSTATE code (`23505`) of a PostgreSQL error, else the error class (`ReplyError`).' },
    ],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  {
    name: 'db.client.connection.count',
    kind: 'up_down_counter',
    unit: '{connection}',
    description: 'Connections of a pg-pool pool, by state.',
    attributes: [
      { key: 'db.client.connection.pool.name', description: '`<host>:<port>/<database>` of the pool.' },
      { key: 'db.client.connection.state', values: ['idle', 'used'] },
    ],
  },
  {
    name: 'db.client.connection.max',
    kind: 'up_down_counter',
    unit: '{connection}',
    description: 'The most connections a pg-pool pool opens (its `max` option).',
    attributes: [{ key: 'db.client.connection.pool.name' }],
  },
  {
    name: 'db.client.connection.pending_requests',
    kind: 'up_down_counter',
    unit: '{request}',
    description: 'Requests waiting for a connection of a pg-pool pool.',
    attributes: [{ key: 'db.client.connection.pool.name' }],
  },
  {
    name: 'db.client.transactions',
    kind: 'counter',
    unit: '{transaction}',
    description: 'PostgreSQL transactions ended, by outcome: `COMMIT`/`END` that succeeded is a commit; `ROLLBACK`/`ABORT`, or a `COMMIT` the server refused, a rollback.',
    attributes: [
      { key: 'db.system.name', values: ['postgresql'] },
      { key: 'db.namespace', optional: true },
      { key: 'db.transaction.outcome', values: ['commit', 'rollback'] },
    ],
  },
  {
    name: 'cache.operations',
    kind: 'counter',
    unit: '{operation}',
    description: 'Cache lookups the app reported (`cacheLookup()`, `cached()`), by cache and outcome.',
    attributes: [
      { key: 'cache.name', description: 'The name the app gave the cache; the pack keeps at most 100, later ones are `_OTHER`.' },
      { key: 'cache.outcome', values: ['hit', 'miss', 'error'] },
    ],
  },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
catalog satisfies Catalog;

export type CacheOutcome = AttributeValues<typeof catalog, 'cache.operations', 'cache.outcome'>;
export type TransactionOutcome = AttributeValues<typeof catalog, 'db.client.transactions', 'db.transaction.outcome'>;
