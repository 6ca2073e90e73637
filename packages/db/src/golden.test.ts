// Golden test: recorded database operations, pool readings and cache lookups, fed through the instruments the pack
// creates from its catalog, must produce exactly the checked-in exposition text (test/fixtures/packs/db.prom).
// Real operations have real, varying durations, so the recording replays (duration, attributes) pairs as the
// recorders compute them. Regenerate with `UPDATE_GOLDEN=1 pnpm vitest run packages/db/src/golden.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { createInstruments } from '@otelkit/node/kit';
import { createTelemetry } from '@otelkit/node/testing';
import { expect, it } from 'vitest';
import { catalog } from './catalog.js';

const golden = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'packs', 'db.prom');

const pg = (operation: string, collection: string | undefined, errorType?: string): Attributes => ({
  'db.system.name': 'postgresql', 'db.operation.name': operation, 'db.namespace': 'bank', 'server.address': 'db.internal', 'server.port': 5432,
  ...(collection === undefined ? {} : { 'db.collection.name': collection }), ...(errorType === undefined ? {} : { 'error.type': errorType }),
});
const redis = (operation: string, errorType?: string): Attributes => ({
  'db.system.name': 'redis', 'db.operation.name': operation, 'db.namespace': '0', 'server.address': 'cache.internal', 'server.port': 6379,
  ...(errorType === undefined ? {} : { 'error.type': errorType }),
});
const POOL = 'db.internal:5432/bank';

// [duration ms, attributes]
const OPERATIONS: readonly (readonly [number, Attributes])[] = [
  [0.8, pg('BEGIN', undefined)], [2.4, pg('INSERT', 'emt_messages')], [1.1, pg('COMMIT', undefined)],
  [0.6, pg('SELECT', 'emt_messages')], [31, pg('INSERT', 'emt_messages', '40001')], [0.3, redis('GET')],
  [0.2, redis('GET')], [0.4, redis('SET')], [1.7, redis('SET', 'ReplyError')],
];

it('replays recorded operations into the golden exposition', async () => {
  const t = createTelemetry();
  const meter = t.meterProvider.getMeter('@otelkit/db');
  const instruments = createInstruments(meter, catalog);
  for (const [ms, attributes] of OPERATIONS) instruments['db.client.operation.duration'].record(ms / 1000, attributes);
  const tx = (outcome: string): Attributes => ({ 'db.system.name': 'postgresql', 'db.namespace': 'bank', 'db.transaction.outcome': outcome });
  instruments['db.client.transactions'].add(1, tx('commit'));
  instruments['db.client.transactions'].add(1, tx('rollback'));
  const pool = { 'db.client.connection.pool.name': POOL };
  instruments['db.client.connection.count'].add(3, { ...pool, 'db.client.connection.state': 'used' });
  instruments['db.client.connection.count'].add(7, { ...pool, 'db.client.connection.state': 'idle' });
  instruments['db.client.connection.max'].add(10, pool);
  instruments['db.client.connection.pending_requests'].add(0, pool);
  const lookup = (outcome: string): Attributes => ({ 'cache.name': 'accounts', 'cache.outcome': outcome });
  instruments['cache.operations'].add(8, lookup('hit'));
  instruments['cache.operations'].add(2, lookup('miss'));
  const text = await t.exposition();
  await t.shutdown();
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
  expect(text).toBe(readFileSync(golden, 'utf8'));
});
