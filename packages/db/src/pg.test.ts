// pg and pg-pool against a real PostgreSQL: every query form is measured once, with bounded attributes; pool
// connections by state, max and pending requests are read at collection; COMMIT/ROLLBACK count transactions.
import { createRequire } from 'node:module';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type * as Pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from './__fixtures__/servers.js';
import { packUnderTest } from './__fixtures__/pack-under-test.js';

// Required after setup, as an app would: through Module.prototype.require, which the instrumentation hooks.
const require = createRequire(import.meta.url);
const p = packUnderTest();
const { t } = p;
let server: PostgresServer;
let pg: typeof Pg;
let url: string;
let port: number;

const count = p.operations;
const base = (): Record<string, string | number> => ({ 'db.system.name': 'postgresql', 'server.address': '127.0.0.1', 'server.port': port, 'db.namespace': 'app' });

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase('app');
  port = server.port;
  await p.start();
  pg = require('pg') as typeof Pg;
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query('CREATE TABLE accounts (id text PRIMARY KEY, balance int NOT NULL)');
  await setup.end();
}, 600_000);

afterAll(async () => {
  await p.close();
  await server?.stop();
});

it('measures promise, callback and failed queries once each, by operation, table and SQLSTATE', async () => {
  const before = {
    insert: await count({ ...base(), 'db.operation.name': 'INSERT', 'db.collection.name': 'accounts' }),
    select: await count({ ...base(), 'db.operation.name': 'SELECT', 'db.collection.name': 'accounts' }),
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('INSERT INTO accounts (id, balance) VALUES ($1, $2)', ['a1', 100]);
  await client.query({ text: 'SELECT balance FROM accounts WHERE id = $1', values: ['a1'] });
  await new Promise<void>((resolve, reject) => {
    client.query('SELECT balance FROM accounts WHERE id = $1', ['a1'], (error) => (error ? reject(error) : resolve()));
  });
  await expect(client.query('INSERT INTO accounts (id, balance) VALUES ($1, $2)', ['a1', 1])).rejects.toThrow(/duplicate key/);
  await expect(client.query('SELEC 1')).rejects.toThrow(/syntax error/);
  await client.end();

  expect(await count({ ...base(), 'db.operation.name': 'INSERT', 'db.collection.name': 'accounts' })).toBe(before.insert + 1);
  expect(await count({ ...base(), 'db.operation.name': 'SELECT', 'db.collection.name': 'accounts' })).toBe(before.select + 2);
  expect(await count({ ...base(), 'db.operation.name': 'INSERT', 'db.collection.name': 'accounts', 'error.type': '23505' })).toBe(1);
  expect(await count({ ...base(), 'db.operation.name': '_OTHER', 'error.type': '42601' })).toBe(1);
  // No data point carries anything unbounded: the attribute keys are the catalog's.
  const keys = new Set((await t.points('db.client.operation.duration')).flatMap((p) => Object.keys(p.attributes)));
  expect([...keys].sort()).toEqual(['db.collection.name', 'db.namespace', 'db.operation.name', 'db.system.name', 'error.type', 'server.address', 'server.port']);
});

it('starts CLIENT spans under the active span, with the query text on the span only', async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const parent = t.tracer.startSpan('parent');
  await context.with(trace.setSpan(context.active(), parent), () => client.query('SELECT id FROM accounts WHERE balance > $1', [0]));
  await expect(client.query('SELECT * FROM missing_table')).rejects.toThrow();
  parent.end();
  await client.end();
  const spans = await t.spans();
  const select = spans.find((s) => s.attributes['db.query.text'] === 'SELECT id FROM accounts WHERE balance > $1');
  expect(select).toMatchObject({ name: 'SELECT accounts', kind: SpanKind.CLIENT });
  expect(select?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  expect(select?.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.namespace': 'app', 'db.operation.name': 'SELECT', 'db.collection.name': 'accounts', 'server.port': port });
  const failed = spans.find((s) => s.attributes['db.query.text'] === 'SELECT * FROM missing_table');
  expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
  expect(failed?.attributes).toMatchObject({ 'error.type': '42P01', 'db.response.status_code': '42P01' });
});

it('counts transactions by outcome, a COMMIT of a failed transaction as a rollback', async () => {
  const tx = (outcome: string): Promise<number | undefined> =>
    t.value('db.client.transactions', { 'db.system.name': 'postgresql', 'db.namespace': 'app', 'db.transaction.outcome': outcome }) as Promise<number | undefined>;
  const before = { commit: (await tx('commit')) ?? 0, rollback: (await tx('rollback')) ?? 0 };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', ['a1']);
  await client.query('COMMIT');
  await client.query('BEGIN');
  await client.query('SAVEPOINT s1');
  await client.query('ROLLBACK TO SAVEPOINT s1');
  await client.query('ROLLBACK');
  await client.query('BEGIN');
  await expect(client.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
  const commit = await client.query('COMMIT');
  expect(commit.command).toBe('ROLLBACK');
  await client.end();
  expect(await tx('commit')).toBe(before.commit + 1);
  expect(await tx('rollback')).toBe(before.rollback + 2);
});

it('reads pool connections by state, max and pending requests at collection', async () => {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const name = `127.0.0.1:${port}/app`;
  const held = [await pool.connect(), await pool.connect()];
  const waiting = pool.connect();
  const gauge = (metric: string, attributes: Record<string, string>): Promise<number | undefined> =>
    t.value(metric, { 'db.client.connection.pool.name': name, ...attributes }) as Promise<number | undefined>;
  expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'used' })).toBe(2);
  expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'idle' })).toBe(0);
  expect(await gauge('db.client.connection.max', {})).toBe(2);
  expect(await gauge('db.client.connection.pending_requests', {})).toBe(1);
  for (const c of held) c.release();
  (await waiting).release();
  expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'used' })).toBe(0);
  expect(await gauge('db.client.connection.count', { 'db.client.connection.state': 'idle' })).toBe(2);
  expect(await gauge('db.client.connection.pending_requests', {})).toBe(0);
  // pool.query goes through the pool's clients, measured like any other.
  const before = await count({ ...base(), 'db.operation.name': 'SELECT' });
  await pool.query('SELECT 1');
  expect(await count({ ...base(), 'db.operation.name': 'SELECT' })).toBe(before + 1);
  await pool.end();
});
