import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandHandler, type Event } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindEventStore } from '../instrument.js';
import { extractTraceContext } from '../trace-context.js';
import { instrumentEmmettEventStore } from './emmett.js';

// Against a real PostgreSQL server that test/support/postgres.ts starts on loopback (it fails with a plain message
// when PostgreSQL cannot run here). Loaded by path because it lives outside this package's source root.
interface PostgresServer {
  readonly url: string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}
const support = pathToFileURL(join(import.meta.dirname, '..', '..', '..', '..', 'test', 'support', 'postgres.ts')).href;

type Deposited = Event<'Deposited', { amount: number }>;

let server: PostgresServer;
let t: Telemetry;
let unbind: () => void;
let raw: PostgresEventStore;

beforeAll(async () => {
  const { startPostgres } = (await import(support)) as { startPostgres(): Promise<PostgresServer> };
  server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  t = createTelemetry();
  unbind = bindEventStore(t.meter, t.tracer, '', { now: () => 0 });
  raw = getPostgreSQLEventStore(await server.createDatabase(`emmett_${Math.random().toString(36).slice(2, 10)}`));
});
afterEach(async () => {
  await raw.close();
  unbind();
  await t.shutdown();
});

const count = async (attrs: Record<string, string>): Promise<number | undefined> =>
  ((await t.point('eventstore.operation.duration', attrs))?.value as Histogram | undefined)?.count;

describe('Emmett PostgreSQL event store', () => {
  it('records operations, stores the trace context in event metadata, and counts conflicts', async () => {
    const store = instrumentEmmettEventStore(raw);
    await store.appendToStream<Deposited>('account-1', [{ type: 'Deposited', data: { amount: 3 } }, { type: 'Deposited', data: { amount: 4 } }]);
    const { events } = await store.readStream<Deposited>('account-1');
    expect(events.map((e) => e.data.amount)).toEqual([3, 4]);
    await expect(store.appendToStream<Deposited>('account-1', [{ type: 'Deposited', data: { amount: 1 } }], { expectedStreamVersion: 1n })).rejects.toThrow();

    const system = 'emmett.postgresql';
    expect(await count({ 'eventstore.system': system, 'eventstore.operation': 'append', 'eventstore.outcome': 'success' })).toBe(1);
    expect(await count({ 'eventstore.system': system, 'eventstore.operation': 'read', 'eventstore.outcome': 'success' })).toBe(1);
    expect(await count({ 'eventstore.system': system, 'eventstore.operation': 'append', 'eventstore.outcome': 'conflict', 'error.type': 'ExpectedVersionConflictError' })).toBe(1);
    expect((await t.point('eventstore.events', { 'eventstore.system': system, 'eventstore.operation': 'read' }))?.value).toBe(2);

    // The context survived the round trip through PostgreSQL's jsonb metadata column.
    const append = (await t.spans()).find((s) => s.name === 'eventstore append');
    expect(extractTraceContext(events[0]?.metadata)?.spanId).toBe(append?.spanContext().spanId);
  });

  it("instruments the session store Emmett's command handler works against", async () => {
    const store = instrumentEmmettEventStore(raw);
    const handle = CommandHandler<{ total: number }, Deposited>({ initialState: () => ({ total: 0 }), evolve: (s, e) => ({ total: s.total + e.data.amount }) });
    const result = await handle(store, 'account-2', () => ({ type: 'Deposited', data: { amount: 9 } }));
    expect(result.newState.total).toBe(9);
    const operations = (await t.points('eventstore.operation.duration')).map((p) => p.attributes['eventstore.operation']).sort();
    expect(operations).toEqual(['aggregate', 'append']);
  });
});
