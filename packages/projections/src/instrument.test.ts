import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindProjections, instrumentProjection, recordCheckpoint, setProjectionStatus } from './instrument.js';

interface TestEvent {
  readonly type: string;
  readonly metadata: { readonly globalPosition: bigint; readonly timestamp?: number; readonly traceparent?: string };
}
const producer = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const ev = (type: string, position: bigint, timestamp?: number): TestEvent => ({
  type,
  metadata: { globalPosition: position, traceparent: `00-${producer.traceId}-${producer.spanId}-01`, ...(timestamp === undefined ? {} : { timestamp }) },
});

let t: Telemetry;
let unbind: () => void;
let wall = 0;
beforeEach(() => {
  t = createTelemetry();
  wall = 100_000;
  unbind = bindProjections(t.meter, t.tracer, '', { now: () => 0, wallClock: () => wall });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

const value = async (name: string, attrs: Record<string, string>): Promise<number | undefined> => {
  const v = (await t.point(name, attrs))?.value;
  return typeof v === 'number' ? v : (v as Histogram | undefined)?.count;
};

describe('instrumentProjection', () => {
  it('counts processed and skipped events, lag in seconds and events, and links the span to the producer', async () => {
    let head = 10n;
    const handled: string[] = [];
    const project = instrumentProjection(
      'balance',
      (events: TestEvent[]) => {
        for (const e of events) if (e.type === 'Deposited') handled.push(e.type);
        return Promise.resolve();
      },
      { canHandle: (e) => e.type === 'Deposited', headPosition: () => head, catchingUpAbove: 5 },
    );
    await project([ev('Deposited', 1n, 97_500), ev('Renamed', 2n), ev('Deposited', 3n, 98_000)]);
    expect(handled).toEqual(['Deposited', 'Deposited']);
    const byOutcome = (o: string) => value('projection.events', { 'projection.name': 'balance', 'projection.outcome': o });
    expect([await byOutcome('processed'), await byOutcome('skipped')]).toEqual([2, 1]);
    expect(await value('projection.duration', { 'projection.name': 'balance', 'projection.outcome': 'processed' })).toBe(1);
    expect(await value('projection.lag', { 'projection.name': 'balance' })).toBe(2);
    // head 10, last handled 3 → 7 behind; above the threshold of 5 → catching up.
    expect(await value('projection.lag.events', { 'projection.name': 'balance' })).toBe(7);
    expect(await value('projection.status', { 'projection.name': 'balance', 'projection.state': 'catching_up' })).toBe(1);
    head = 3n;
    expect(await value('projection.lag.events', { 'projection.name': 'balance' })).toBe(0);
    expect(await value('projection.status', { 'projection.name': 'balance', 'projection.state': 'running' })).toBe(1);
    expect(await value('projection.status', { 'projection.name': 'balance', 'projection.state': 'catching_up' })).toBe(0);

    const [span] = await t.spans();
    expect(span?.name).toBe('projection balance');
    expect(span?.kind).toBe(SpanKind.CONSUMER);
    expect(span?.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[producer.traceId, producer.spanId]]);
  });

  it('counts failures, marks the status failed and rethrows', async () => {
    const boom = new Error('read model down');
    const project = instrumentProjection('statement', (_e: TestEvent) => {
      throw boom;
    });
    expect(() => project(ev('Deposited', 1n))).toThrow(boom);
    expect(await value('projection.events', { 'projection.name': 'statement', 'projection.outcome': 'failed' })).toBe(1);
    expect(await value('projection.status', { 'projection.name': 'statement', 'projection.state': 'failed' })).toBe(1);
    expect((await t.spans())[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('measures lag in events from the reported checkpoint and counts checkpoints', async () => {
    instrumentProjection('audit', (_e: TestEvent) => undefined, { headPosition: () => 50 });
    recordCheckpoint('audit', 20);
    recordCheckpoint('audit', 45);
    expect(await value('projection.checkpoints', { 'projection.name': 'audit' })).toBe(2);
    expect(await value('projection.lag.events', { 'projection.name': 'audit' })).toBe(5);
    setProjectionStatus('audit', 'stopped');
    expect(await value('projection.status', { 'projection.name': 'audit', 'projection.state': 'stopped' })).toBe(1);
  });

  it('reads a stored checkpoint at collection time', async () => {
    let stored: bigint | undefined;
    instrumentProjection('ledger', (_e: TestEvent) => undefined, { headPosition: () => 100n, checkpoint: () => Promise.resolve(stored) });
    stored = 70n;
    expect(await value('projection.lag.events', { 'projection.name': 'ledger' })).toBe(30);
    stored = 100n;
    expect(await value('projection.lag.events', { 'projection.name': 'ledger' })).toBe(0);
  });

  it('keeps handling when a user callback throws', async () => {
    const project = instrumentProjection('fragile', (e: TestEvent) => e.type, {
      positionOf: () => {
        throw new Error('bad position');
      },
      canHandle: () => {
        throw new Error('bad filter');
      },
    });
    expect(project(ev('Deposited', 1n))).toBe('Deposited');
    expect(await value('projection.events', { 'projection.name': 'fragile', 'projection.outcome': 'processed' })).toBe(1);
  });
});
