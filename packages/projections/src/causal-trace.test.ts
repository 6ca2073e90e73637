import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { DeciderCommandHandler, getInMemoryEventStore, inMemorySingleStreamProjection, projections, type Command, type Event } from '@event-driven-io/emmett';
import { bindCommands, instrumentEmmettCommandHandler } from '@otelkit/commands';
import { bindEventStore, instrumentEmmettEventStore } from '@otelkit/event-store';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindProjections } from './instrument.js';
import { instrumentEmmettProjection } from './adapters/emmett.js';

// One command → its append → a projection handling the appended event, through all three packs and Emmett's
// real in-memory store, asserted on the spans the SDK exported.

type Deposit = Command<'Deposit', { amount: number }>;
type Deposited = Event<'Deposited', { accountId: string; amount: number }>;
interface Balance extends Record<string, unknown> {
  total: number;
}

let t: Telemetry;
let unbind: (() => void)[];
beforeEach(() => {
  t = createTelemetry();
  unbind = [bindCommands(t.meter, t.tracer), bindEventStore(t.meter, t.tracer), bindProjections(t.meter, t.tracer)];
});
afterEach(async () => {
  for (const u of unbind) u();
  await t.shutdown();
});

describe('causal trace', () => {
  it('links the projection span to the append span of the command that produced the event', async () => {
    const balance = inMemorySingleStreamProjection<Balance, Deposited>({
      collectionName: 'balances',
      canHandle: ['Deposited'],
      initialState: () => ({ total: 0 }),
      evolve: (doc: Balance, e: Deposited): Balance => ({ total: doc.total + e.data.amount }),
    });
    const store = instrumentEmmettEventStore(getInMemoryEventStore({ projections: projections.inline([instrumentEmmettProjection(balance, { name: 'balance' })]) }));
    const deposit = instrumentEmmettCommandHandler(
      DeciderCommandHandler<Balance, Deposit, Deposited>({
        initialState: () => ({ total: 0 }),
        evolve: (s, e) => ({ total: s.total + e.data.amount }),
        decide: (c, _s) => ({ type: 'Deposited', data: { accountId: 'acc-1', amount: c.data.amount } }),
      }),
    );

    await deposit(store, 'acc-1', { type: 'Deposit', data: { amount: 25 } });

    const spans = await t.spans();
    const byName = (name: string) => spans.find((s) => s.name === name);
    const command = byName('command Deposit');
    const append = byName('eventstore append');
    const projection = byName('projection balance');
    expect(command).toBeDefined();
    expect(append).toBeDefined();
    expect(projection).toBeDefined();
    const commandCtx = command!.spanContext();
    // The append runs inside the command span...
    expect(append!.spanContext().traceId).toBe(commandCtx.traceId);
    expect(append!.parentSpanContext?.spanId).toBe(commandCtx.spanId);
    // ...and the projection's CONSUMER span links to the append that produced the event, in the command's trace.
    expect(projection!.kind).toBe(SpanKind.CONSUMER);
    expect(projection!.links).toHaveLength(1);
    expect(projection!.links[0]?.context.traceId).toBe(commandCtx.traceId);
    expect(projection!.links[0]?.context.spanId).toBe(append!.spanContext().spanId);
    // The append time the event-store pack wrote into metadata gives the projection its lag in seconds.
    const lag = (await t.point('projection.lag', { 'projection.name': 'balance' }))?.value;
    expect(typeof lag === 'number' && lag >= 0 && lag < 60).toBe(true);
  });
});
