import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getInMemoryEventStore, inMemorySingleStreamProjection, projections, type Event } from '@event-driven-io/emmett';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindProjections } from '../instrument.js';
import { instrumentEmmettProjection } from './emmett.js';

type Deposited = Event<'Deposited', { accountId: string; amount: number }>;
type Renamed = Event<'Renamed', { accountId: string; name: string }>;
interface Balance extends Record<string, unknown> {
  total: number;
}

let t: Telemetry;
let unbind: () => void;
beforeEach(() => {
  t = createTelemetry();
  unbind = bindProjections(t.meter, t.tracer, '', { now: () => 0 });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

describe('Emmett projections', () => {
  it('records an inline in-memory projection run by the store, skipping event types it does not handle', async () => {
    const balance = inMemorySingleStreamProjection<Balance, Deposited | Renamed>({
      collectionName: 'balances',
      canHandle: ['Deposited'],
      initialState: () => ({ total: 0 }),
      evolve: (doc: Balance, event: Deposited | Renamed): Balance => (event.type === 'Deposited' ? { total: doc.total + event.data.amount } : doc),
    });
    const store = getInMemoryEventStore({ projections: projections.inline([instrumentEmmettProjection(balance, { name: 'balances' })]) });
    await store.appendToStream<Deposited | Renamed>('account-1', [
      { type: 'Deposited', data: { accountId: 'account-1', amount: 5 } },
      { type: 'Renamed', data: { accountId: 'account-1', name: 'x' } },
    ]);
    const doc = await store.database.collection<Balance>('balances').findOne((d) => d._id === 'account-1');
    expect(doc?.total).toBe(5);
    const count = async (o: string) => (await t.point('projection.events', { 'projection.name': 'balances', 'projection.outcome': o }))?.value;
    expect([await count('processed'), await count('skipped')]).toEqual([1, 1]);
    expect((await t.spans()).map((s) => s.name)).toEqual(['projection balances']);
  });

  it('needs a name', () => {
    expect(() => instrumentEmmettProjection({ canHandle: ['X'], handle: () => Promise.resolve() })).toThrow(/needs a name/);
  });
});
