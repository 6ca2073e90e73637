import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindProjections, instrumentProjection, recordCheckpoint, setProjectionStatus } from './instrument.js';
import pack from './pack.js';

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

describe('lag queries at collection time', () => {
  it('leave out a projection whose head() never resolves, count it, and never pile up its queries', async () => {
    unbind();
    unbind = bindProjections(t.meter, t.tracer, '', { lagQueryTimeoutMillis: 50 });
    let hungCalls = 0;
    instrumentProjection('hung', (_e: TestEvent) => undefined, {
      headPosition: () => {
        hungCalls++;
        return new Promise<bigint>(() => {});
      },
    });
    instrumentProjection('healthy', (_e: TestEvent) => undefined, { headPosition: () => 12 });
    recordCheckpoint('healthy', 10);

    for (let collection = 1; collection <= 3; collection++) {
      const lag = await t.points('projection.lag.events');
      expect(lag.map((p) => p.attributes['projection.name'])).not.toContain('hung');
      expect(await value('projection.lag.events', { 'projection.name': 'healthy' })).toBe(2);
      // the pending query is awaited again, not started again
      expect(hungCalls).toBe(1);
    }
    // three collections above, three more inside value() and one here: each gave up on the hung query once
    expect(await value('projection.lag.timeouts', { 'projection.name': 'hung' })).toBe(7);
    expect(await t.point('projection.lag.timeouts', { 'projection.name': 'healthy' })).toBeUndefined();
  });

  it('query the projections concurrently: each head() waits for the other to have been called', async () => {
    unbind();
    // (entries outlive bindings, so the hung projection above is queried too, and given up on after this bound)
    unbind = bindProjections(t.meter, t.tracer, '', { lagQueryTimeoutMillis: 1000 });
    const called = { left: false, right: false };
    let wake: () => void = () => {};
    const bothCalled = new Promise<void>((resolve) => (wake = resolve));
    const headOf = (side: 'left' | 'right', head: number) => async (): Promise<number> => {
      called[side] = true;
      if (called.left && called.right) wake();
      await bothCalled;
      return head;
    };
    instrumentProjection('left', (_e: TestEvent) => undefined, { headPosition: headOf('left', 7) });
    instrumentProjection('right', (_e: TestEvent) => undefined, { headPosition: headOf('right', 9) });
    // one after the other, the first head() would wait for the second until it timed out, and be left out
    expect(await value('projection.lag.events', { 'projection.name': 'left' })).toBe(7);
    expect(await value('projection.lag.events', { 'projection.name': 'right' })).toBe(9);
  });

  it.each([0, -5, 1.5, 'soon', 2 ** 31])('a bad lagQueryTimeoutMillis (%s) is one line and the default', async (bad) => {
    const telemetry = createTelemetry({ scope: '@otelkit/projections' });
    const handle = await pack.setup(telemetry.ctx({ lagQueryTimeoutMillis: bad }));
    try {
      expect(telemetry.logs).toEqual([
        `otelkit: pack projections option lagQueryTimeoutMillis must be a whole number of milliseconds from 1 to 2147483647, not ${String(bad)}; using 2000`,
      ]);
    } finally {
      await handle?.dispose();
      await telemetry.shutdown();
    }
  });
});
