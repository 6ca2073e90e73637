// Golden test: a recorded sequence of event-store operations against Emmett's in-memory store, through the pack as
// core sets it up, must produce exactly the checked-in exposition (test/fixtures/packs/event-store.prom).
// Regenerate with `UPDATE_GOLDEN=1 pnpm vitest run packages/event-store/src/golden.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getInMemoryEventStore, type Event } from '@event-driven-io/emmett';
import { expect, it } from 'vitest';
import { createTelemetry } from '@otelkit/node/testing';
import pack from './pack.js';
import { instrumentEmmettEventStore } from './adapters/emmett.js';

const golden = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'packs', 'event-store.prom');

type BankEvent = Event<'AccountOpened', { owner: string }> | Event<'Deposited', { amount: number }>;
const opened: BankEvent = { type: 'AccountOpened', data: { owner: 'ada' } };
const deposited = (amount: number): BankEvent => ({ type: 'Deposited', data: { amount } });
const evolve = (total: number, e: BankEvent): number => (e.type === 'Deposited' ? total + e.data.amount : total);

it('replays a recorded event-store sequence into the golden exposition', async () => {
  const t = createTelemetry({ scope: '@otelkit/event-store' });
  // Every operation reads the clock twice (start, end) and each read advances it by `step`: each takes `step` ms.
  let clock = 0;
  let step = 0;
  const now = (): number => {
    const value = clock;
    clock += step;
    return value;
  };
  const handle = await pack.setup(t.ctx({ now }));
  try {
    const store = instrumentEmmettEventStore(getInMemoryEventStore());
    const recording: readonly (readonly [number, () => Promise<unknown>])[] = [
      [8, () => store.appendToStream('account-1', [opened, deposited(10)])],
      [5, () => store.appendToStream('account-1', [deposited(5)], { expectedStreamVersion: 2n })],
      [2, () => store.readStream('account-1')],
      [3, () => store.aggregateStream('account-1', { initialState: () => 0, evolve })],
      [1, () => store.streamExists('account-1')],
      [4, () => store.appendToStream('account-1', [deposited(1)], { expectedStreamVersion: 1n })],
      [60, () => store.appendToStream('account-2', [opened, deposited(1), deposited(2)])],
      [2, () => store.readStream('account-2')],
    ];
    for (const [ms, operation] of recording) {
      step = ms;
      await operation().catch(() => undefined);
    }
    const text = await t.exposition();
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  } finally {
    await handle?.dispose();
    await t.shutdown();
  }
});
