// The bank on PostgreSQL and Redis (DATABASE_URL and REDIS_URL set) against real servers: account queries read
// through the Redis cache, invalidated by the balance projection; the db pack measures emmett's pg queries and the
// cache's Redis commands, and counts the cache's hits and misses exactly.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres.ts';
import { startRedis, type RedisServer } from '../../../test/support/redis.ts';
import { parseExposition, startBank, sumOf, type BankProcess } from './run-bank.ts';

let pg: PostgresServer;
let redis: RedisServer;
let bank: BankProcess;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  bank = await startBank({
    env: { DATABASE_URL: await pg.createDatabase('bank_cache'), REDIS_URL: redis.url, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', FRAUD_FAILURE_SHARE: '0', NOTIFY_FAILURE_SHARE: '0' },
  });
}, 600_000);

afterAll(async () => {
  await bank?.stop();
  await Promise.all([pg?.stop(), redis?.stop()]);
});

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${bank.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

it('reads accounts through the Redis cache, fresh after every change, and the pack counts it all', async () => {
  expect(bank.stdout()).toContain('store: emmett.postgresql; account cache: redis');
  const id = (await call('POST', '/accounts', { owner: 'ada' })).body.accountId as string;
  await call('POST', `/accounts/${id}/deposits`, { amount: 5_000 });
  await call('POST', '/admin/projections/settle');
  expect(await call('GET', `/accounts/${id}`)).toMatchObject({ status: 200, body: { balance: 5_000, version: 2 } }); // miss
  expect(await call('GET', `/accounts/${id}`)).toMatchObject({ status: 200, body: { balance: 5_000, version: 2 } }); // hit
  await call('POST', `/accounts/${id}/withdrawals`, { amount: 1_000 });
  await call('POST', '/admin/projections/settle');
  expect(await call('GET', `/accounts/${id}`)).toMatchObject({ status: 200, body: { balance: 4_000, version: 3 } }); // miss
  expect((await call('GET', '/accounts/nobody')).status).toBe(404); // miss, not stored

  const samples = parseExposition(await (await fetch(bank.metricsUrl)).text());
  expect(sumOf(samples, 'cache_operations_total', { cache_name: 'accounts', cache_outcome: 'hit' })).toBe(1);
  expect(sumOf(samples, 'cache_operations_total', { cache_name: 'accounts', cache_outcome: 'miss' })).toBe(3);
  const redisOps = (operation: string): number => sumOf(samples, 'db_client_operation_duration_seconds_count', { db_system_name: 'redis', db_operation_name: operation });
  expect(redisOps('GET')).toBe(4);
  expect(redisOps('SET')).toBe(2);
  // One DEL per event the balance projection folded in: opened, deposited, withdrawn.
  expect(redisOps('DEL')).toBe(3);
  // Emmett's appends and reads reach PostgreSQL through pg: measured by operation, on the bank's database.
  const pgOps = sumOf(samples, 'db_client_operation_duration_seconds_count', { db_system_name: 'postgresql', db_namespace: 'bank_cache' });
  expect(pgOps).toBeGreaterThan(0);
  expect(sumOf(samples, 'db_client_connection_max', {})).toBeGreaterThan(0);
});
