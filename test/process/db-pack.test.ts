// The real db pack in a spawned app started with the register entry, against a real PostgreSQL and redis-server:
// pg (through pg.Pool), ioredis and node-redis are measured with no otelkit code in the app, and the pull endpoint
// serves exactly the operations the app performed, by bounded labels only.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseExposition, sumOf, type Sample } from '../../examples/bank/test/run-bank.ts';
import { freePort } from '../support/free-port.ts';
import { linkModule } from '../support/fixture-app.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { spawnApp } from '../support/spawn.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;
let pg: PostgresServer;
let redis: RedisServer;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  dir = mkdtempSync(join(tmpdir(), 'otelkit-db-'));
  cpSync(join(repo, 'test', 'fixtures', 'apps', 'db'), dir, { recursive: true });
  const dependencies = { '@otelkit/node': '*', '@otelkit/db': '*', pg: '*', ioredis: '*', redis: '*' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'db-fixture', version: '1.0.0', private: true, type: 'module', dependencies }));
  linkModule(dir, join(repo, 'packages', 'node'), '@otelkit/node');
  linkModule(dir, join(repo, 'packages', 'db'), '@otelkit/db');
  for (const name of ['pg', 'ioredis', 'redis']) linkModule(dir, join(repo, 'packages', 'db', 'node_modules', name), name);
}, 600_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([pg?.stop(), redis?.stop()]);
});

it('serves every operation, pool state, transaction and cache lookup the app made, on bounded labels', async () => {
  const url = await pg.createDatabase('fixture');
  const port = await freePort();
  const run = spawnApp('app.mjs', {
    cwd: dir,
    env: { PG_URL: url, REDIS_URL: redis.url, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none' },
  });
  let samples: Sample[];
  try {
    await run.waitForOutput(/fixture: db ready/, 60_000);
    samples = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  } finally {
    run.kill();
    await run.exited;
  }
  expect(run.stderr()).not.toMatch(/otelkit: .*(error|fail)/i);
  const ops = 'db_client_operation_duration_seconds_count';
  const postgres = { db_system_name: 'postgresql', db_namespace: 'fixture', server_address: '127.0.0.1', server_port: String(pg.port) };
  const op = (name: string, more: Record<string, string> = {}): number => {
    const where = { ...postgres, db_operation_name: name, ...more };
    // Exactly: series with error_type are a separate count unless asked for.
    return samples.filter((s) => s.name === ops && Object.entries(where).every(([k, v]) => s.labels[k] === v) && (more['error_type'] !== undefined || s.labels['error_type'] === undefined)).reduce((n, s) => n + s.value, 0);
  };
  expect(op('CREATE')).toBe(1);
  expect(op('INSERT', { db_collection_name: 'items' })).toBe(3);
  expect(op('INSERT', { db_collection_name: 'items', error_type: '23505' })).toBe(1);
  expect(op('SELECT', { db_collection_name: 'items' })).toBe(2);
  expect(op('BEGIN')).toBe(2);
  expect(op('UPDATE', { db_collection_name: 'items' })).toBe(1);
  expect(op('DELETE', { db_collection_name: 'items' })).toBe(1);
  expect(op('COMMIT')).toBe(1);
  expect(op('ROLLBACK')).toBe(1);
  expect(sumOf(samples, ops, { db_system_name: 'postgresql' })).toBe(13);
  expect(sumOf(samples, 'db_client_transactions_total', { db_namespace: 'fixture', db_transaction_outcome: 'commit' })).toBe(1);
  expect(sumOf(samples, 'db_client_transactions_total', { db_namespace: 'fixture', db_transaction_outcome: 'rollback' })).toBe(1);

  const pool = { db_client_connection_pool_name: `127.0.0.1:${pg.port}/fixture` };
  expect(sumOf(samples, 'db_client_connection_count', { ...pool, db_client_connection_state: 'used' })).toBe(1);
  expect(sumOf(samples, 'db_client_connection_count', { ...pool, db_client_connection_state: 'idle' })).toBe(1);
  expect(sumOf(samples, 'db_client_connection_max', pool)).toBe(3);
  expect(sumOf(samples, 'db_client_connection_pending_requests', pool)).toBe(0);

  const io = { db_system_name: 'redis', db_namespace: '0', server_address: '127.0.0.1', server_port: String(redis.port) };
  const nodeRedis = { ...io, db_namespace: '1' };
  expect(sumOf(samples, ops, { ...io, db_operation_name: 'SET' })).toBe(3);
  expect(sumOf(samples, ops, { ...io, db_operation_name: 'GET' })).toBe(6);
  expect(sumOf(samples, ops, { ...nodeRedis, db_operation_name: 'HSET' })).toBe(1);
  expect(sumOf(samples, ops, { ...nodeRedis, db_operation_name: 'HGET' })).toBe(1);
  expect(sumOf(samples, ops, { ...nodeRedis, db_operation_name: 'LPUSH', error_type: 'SimpleError' })).toBe(1);

  expect(sumOf(samples, 'cache_operations_total', { cache_name: 'accounts', cache_outcome: 'hit' })).toBe(2);
  expect(sumOf(samples, 'cache_operations_total', { cache_name: 'accounts', cache_outcome: 'miss' })).toBe(1);

  // Bounded: the label names are the catalog's, and no label value carries query text, keys or arguments.
  const labelsOf = (prefix: string): string[] =>
    [...new Set(samples.filter((s) => s.name.startsWith(prefix)).flatMap((s) => Object.keys(s.labels)))].filter((l) => !['job', 'instance', 'otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url', 'le'].includes(l)).sort();
  expect(labelsOf('db_client_operation_duration')).toEqual(['db_collection_name', 'db_namespace', 'db_operation_name', 'db_system_name', 'error_type', 'server_address', 'server_port']);
  const values = samples.filter((s) => s.name.startsWith('db_') || s.name.startsWith('cache_')).flatMap((s) => Object.values(s.labels));
  expect(values.filter((v) => /\$1|account:|VALUES|WHERE|\s/.test(v))).toEqual([]);
}, 120_000);
