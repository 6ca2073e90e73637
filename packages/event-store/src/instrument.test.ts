import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getInMemoryEventStore, type Event } from '@event-driven-io/emmett';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindEventStore, instrumentEventStore } from './instrument.js';
import { instrumentEmmettEventStore } from './adapters/emmett.js';
import { extractTraceContext } from './trace-context.js';

type Deposited = Event<'Deposited', { amount: number }>;
const deposited = (amount: number): Deposited => ({ type: 'Deposited', data: { amount } });

let t: Telemetry;
let unbind: () => void;
beforeEach(() => {
  t = createTelemetry();
  unbind = bindEventStore(t.meter, t.tracer, '', { now: () => 0, wallClock: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

const durationCount = async (attrs: Record<string, string>): Promise<number | undefined> =>
  ((await t.point('eventstore.operation.duration', attrs))?.value as Histogram | undefined)?.count;

describe('Emmett in-memory event store', () => {
  it('records append, read, aggregate and exists with event counts and batch sizes', async () => {
    const store = instrumentEmmettEventStore(getInMemoryEventStore());
    await store.appendToStream('account-1', [deposited(5), deposited(7)]);
    const read = await store.readStream('account-1');
    expect(read.events).toHaveLength(2);
    const agg = await store.aggregateStream('account-1', { initialState: () => 0, evolve: (s: number, e: Deposited) => s + e.data.amount });
    expect(agg.state).toBe(12);
    expect(await store.streamExists('account-1')).toBe(true);

    const system = 'emmett.inmemory';
    for (const operation of ['append', 'read', 'aggregate', 'exists']) {
      expect(await durationCount({ 'eventstore.system': system, 'eventstore.operation': operation, 'eventstore.outcome': 'success' })).toBe(1);
    }
    expect((await t.point('eventstore.events', { 'eventstore.system': system, 'eventstore.operation': 'append' }))?.value).toBe(2);
    // aggregateStream's internal readStream is not counted a second time.
    expect((await t.point('eventstore.events', { 'eventstore.system': system, 'eventstore.operation': 'read' }))?.value).toBe(2);
    const batch = (await t.point('eventstore.batch.size', { 'eventstore.system': system, 'eventstore.operation': 'append' }))?.value as Histogram;
    expect([batch.count, batch.sum]).toEqual([1, 2]);

    const spans = await t.spans();
    expect(spans.map((s) => s.name)).toEqual(['eventstore append', 'eventstore read', 'eventstore aggregate', 'eventstore exists']);
    expect(spans[0]?.kind).toBe(SpanKind.CLIENT);
    expect(spans[0]?.attributes).toMatchObject({ 'eventstore.system': system, 'eventstore.operation': 'append', 'eventstore.stream.name': 'account-1', 'eventstore.event.count': 2 });
  });

  it('writes the append span context into each event (W3C and Emmett keys) without touching the caller objects', async () => {
    const store = instrumentEmmettEventStore(getInMemoryEventStore());
    const event = { ...deposited(1), metadata: { correlationId: 'c-1' } };
    await store.appendToStream('account-2', [event]);
    expect(event.metadata).toEqual({ correlationId: 'c-1' });
    const [append] = await t.spans();
    const { events } = await store.readStream('account-2');
    const metadata = events[0]?.metadata as Record<string, unknown>;
    expect(metadata.correlationId).toBe('c-1');
    expect(metadata.traceparent).toBe(`00-${append?.spanContext().traceId}-${append?.spanContext().spanId}-01`);
    expect([metadata.traceId, metadata.spanId]).toEqual([append?.spanContext().traceId, append?.spanContext().spanId]);
    expect(extractTraceContext(metadata)?.spanId).toBe(append?.spanContext().spanId);
    expect(metadata.timestamp).toBe('2026-01-02T03:04:05.000Z');
  });

  it('keeps a timestamp the app set, and can write none', async () => {
    const store = instrumentEmmettEventStore(getInMemoryEventStore());
    await store.appendToStream('account-4', [{ ...deposited(1), metadata: { timestamp: 'app-time' } }]);
    expect((await store.readStream('account-4')).events[0]?.metadata).toMatchObject({ timestamp: 'app-time' });
    const quiet = instrumentEmmettEventStore(getInMemoryEventStore(), { timestampKey: false });
    await quiet.appendToStream('account-5', [deposited(1)]);
    expect((await quiet.readStream('account-5')).events[0]?.metadata).not.toHaveProperty('timestamp');
  });

  it('counts a wrong expected version as a conflict and rethrows it', async () => {
    const store = instrumentEmmettEventStore(getInMemoryEventStore());
    await store.appendToStream('account-3', [deposited(1)]);
    await expect(store.appendToStream('account-3', [deposited(1)], { expectedStreamVersion: 0n })).rejects.toThrow();
    expect(await durationCount({ 'eventstore.system': 'emmett.inmemory', 'eventstore.operation': 'append', 'eventstore.outcome': 'conflict', 'error.type': 'ExpectedVersionConflictError' })).toBe(1);
    expect((await t.spans())[1]?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('any store', () => {
  class TinyStore {
    readonly #streams = new Map<string, unknown[]>();
    appendToStream(stream: string, events: unknown[]): Promise<number> {
      const list = this.#streams.get(stream) ?? [];
      list.push(...events);
      this.#streams.set(stream, list);
      return Promise.resolve(list.length);
    }
    readStream(stream: string): unknown[] {
      return this.#streams.get(stream) ?? [];
    }
    size(): number {
      return this.#streams.size;
    }
  }

  it('keeps private fields, sync methods and non-operation members working', async () => {
    const store = instrumentEventStore(new TinyStore(), { system: 'tiny', conventions: [], timestampKey: false });
    await store.appendToStream('s', [{ type: 'A' }]);
    expect(store.readStream('s')).toEqual([{ type: 'A' }]);
    expect(store.size()).toBe(1);
    expect(instrumentEventStore(store, { system: 'tiny' })).toBe(store);
    expect((await t.point('eventstore.events', { 'eventstore.system': 'tiny', 'eventstore.operation': 'read' }))?.value).toBe(1);
  });

  it('makes no span of its own for a method an OpenTelemetry instrumentation already wraps, but still propagates', async () => {
    const inner = new TinyStore();
    const wrapped = Object.assign((s: string, e: unknown[]) => inner.appendToStream(s, e), { __wrapped: true });
    const store = instrumentEventStore({ appendToStream: wrapped, readStream: (s: string) => inner.readStream(s) }, { system: 'tiny', conventions: ['w3c'] });
    const parent = t.tracer.startSpan('command Deposit');
    const { context } = await import('@opentelemetry/api');
    await context.with(trace.setSpan(context.active(), parent), () => store.appendToStream('s', [{ type: 'A' }]));
    parent.end();
    const spans = await t.spans();
    expect(spans.map((s) => s.name)).toEqual(['command Deposit']);
    const [event] = inner.readStream('s') as { metadata: Record<string, unknown> }[];
    expect(extractTraceContext(event?.metadata)?.spanId).toBe(parent.spanContext().spanId);
    expect(await durationCount({ 'eventstore.system': 'tiny', 'eventstore.operation': 'append', 'eventstore.outcome': 'success' })).toBe(1);
  });
});
