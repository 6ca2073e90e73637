import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeciderCommandHandler, ExpectedVersionConflictError, IllegalStateError, getInMemoryEventStore, type Event, type Command } from '@event-driven-io/emmett';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindCommands } from '../instrument.js';
import { instrumentEmmettCommandHandler } from './emmett.js';

type Deposit = Command<'Deposit', { amount: number }>;
type Deposited = Event<'Deposited', { amount: number }>;
interface Balance {
  readonly total: number;
}

const handle = DeciderCommandHandler<Balance, Deposit, Deposited>({
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.amount }),
  decide: (command) => {
    if (command.data.amount <= 0) throw new IllegalStateError('amount must be positive');
    return { type: 'Deposited', data: { amount: command.data.amount } };
  },
});

let t: Telemetry;
let unbind: () => void;
beforeEach(() => {
  t = createTelemetry();
  unbind = bindCommands(t.meter, t.tracer, '', { now: () => 0 });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

const count = async (attrs: Record<string, string>): Promise<number | undefined> =>
  ((await t.point('command.duration', attrs))?.value as Histogram | undefined)?.count;

describe('Emmett command handlers', () => {
  it('records decider commands by their type, with the stream id on the span', async () => {
    const store = getInMemoryEventStore();
    const deposit = instrumentEmmettCommandHandler(handle);
    const result = await deposit(store, 'acc-1', { type: 'Deposit', data: { amount: 10 } });
    expect(result.newState.total).toBe(10);
    await expect(deposit(store, 'acc-1', { type: 'Deposit', data: { amount: -1 } })).rejects.toBeInstanceOf(IllegalStateError);
    await expect(deposit(store, 'acc-1', { type: 'Deposit', data: { amount: 5 } }, { expectedStreamVersion: 0n })).rejects.toBeInstanceOf(ExpectedVersionConflictError);
    expect(await count({ 'command.type': 'Deposit', 'command.outcome': 'success' })).toBe(1);
    expect(await count({ 'command.type': 'Deposit', 'command.outcome': 'rejected', 'error.type': 'IllegalStateError' })).toBe(1);
    expect(await count({ 'command.type': 'Deposit', 'command.outcome': 'conflict', 'error.type': 'ExpectedVersionConflictError' })).toBe(1);
    expect((await t.spans())[0]?.attributes['aggregate.id']).toBe('acc-1');
  });

  it("counts Emmett's own retries after a version conflict", async () => {
    const store = getInMemoryEventStore();
    const original = store.appendToStream.bind(store);
    let failures = 1;
    // A competing writer wins the first append, so Emmett's retry policy runs the handler again.
    store.appendToStream = (async (...args: Parameters<typeof original>) => {
      if (failures-- > 0) throw new ExpectedVersionConflictError(1n, 0n);
      return original(...args);
    }) as typeof store.appendToStream;
    const deposit = instrumentEmmettCommandHandler(handle, 'Deposit');
    await deposit(store, 'acc-2', { type: 'Deposit', data: { amount: 1 } }, { retry: { onVersionConflict: { retries: 2, minTimeout: 1, maxTimeout: 2 } } });
    expect((await t.point('command.retries', { 'command.type': 'Deposit', 'retry.reason': 'conflict' }))?.value).toBe(1);
    expect(await count({ 'command.type': 'Deposit', 'command.outcome': 'success' })).toBe(1);
  });

  it('counts retries made against a session store (stores with withSession, like the PostgreSQL one)', async () => {
    const inner = getInMemoryEventStore();
    const original = inner.appendToStream.bind(inner);
    let failures = 1;
    inner.appendToStream = (async (...args: Parameters<typeof original>) => {
      if (failures-- > 0) throw new ExpectedVersionConflictError(1n, 0n);
      return original(...args);
    }) as typeof inner.appendToStream;
    const unused = (): never => {
      throw new Error('the command handler must work against the session store');
    };
    const factory = {
      withSession: <T>(callback: (session: { eventStore: typeof inner; close: () => Promise<void> }) => Promise<T>): Promise<T> =>
        callback({ eventStore: inner, close: () => Promise.resolve() }),
      aggregateStream: unused,
      readStream: unused,
      appendToStream: unused,
      streamExists: unused,
    };
    const deposit = instrumentEmmettCommandHandler(handle, 'Deposit');
    await deposit(factory as unknown as typeof inner, 'acc-3', { type: 'Deposit', data: { amount: 1 } }, { retry: { onVersionConflict: { retries: 2, minTimeout: 1, maxTimeout: 2 } } });
    expect((await t.point('command.retries', { 'command.type': 'Deposit', 'retry.reason': 'conflict' }))?.value).toBe(1);
  });
});
