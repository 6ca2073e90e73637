// The bank on PostgreSQL (DATABASE_URL set) against a real server: events survive a restart, and the event-store
// pack labels the operations emmett.postgresql.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../../test/support/postgres.ts';
import { parseExposition, startBank, sumOf, type BankProcess } from './run-bank.ts';

let pg: PostgresServer;
let databaseUrl: string;
const running: BankProcess[] = [];

async function start(): Promise<BankProcess> {
  const bank = await startBank({
    env: { DATABASE_URL: databaseUrl, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', FRAUD_FAILURE_SHARE: '0', NOTIFY_FAILURE_SHARE: '0' },
  });
  running.push(bank);
  return bank;
}

async function post(bank: BankProcess, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${bank.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// On a fresh machine the first start may install PostgreSQL and initialise its template: minutes, once.
beforeAll(async () => {
  pg = await startPostgres();
  databaseUrl = await pg.createDatabase('bank');
}, 600_000);

afterAll(async () => {
  for (const bank of running) await bank.stop();
  await pg?.stop();
});

it('keeps accounts across a restart and labels store operations emmett.postgresql', async () => {
  const first = await start();
  expect(first.stdout()).toContain('store: emmett.postgresql');
  const opened = await post(first, '/accounts', { owner: 'ada' });
  expect(opened.status).toBe(201);
  const id = opened.body.accountId as string;
  expect(await post(first, `/accounts/${id}/deposits`, { amount: 5_000 })).toMatchObject({ status: 200, body: { version: 2, balance: 5_000 } });
  const samples = parseExposition(await (await fetch(first.metricsUrl)).text());
  expect(sumOf(samples, 'eventstore_operation_duration_seconds_count', { eventstore_system: 'emmett.postgresql', eventstore_operation: 'append' })).toBe(2);
  await first.stop();

  const second = await start();
  // The command handler folds the stream from PostgreSQL: version and balance continue where they were.
  expect(await post(second, `/accounts/${id}/withdrawals`, { amount: 1_500, expectedVersion: 2 })).toMatchObject({ status: 200, body: { version: 3, balance: 3_500 } });
  expect(await post(second, `/accounts/${id}/withdrawals`, { amount: 10_000 })).toMatchObject({ status: 422 });
});
