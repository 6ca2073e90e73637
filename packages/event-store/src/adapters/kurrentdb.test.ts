import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { KurrentDBClient, WrongExpectedVersionError, jsonEvent } from '@kurrent/kurrentdb-client';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { bindEventStore } from '../instrument.js';
import { outcomeOfError } from '../errors.js';
import { createTelemetry, type Telemetry } from '../__fixtures__/telemetry.js';
import { instrumentKurrentDBClient } from './kurrentdb.js';

// No KurrentDB server runs here: these tests drive the real client against a closed loopback port, so the
// adapter sees the client's real return types (a promise for appends, a readable async iterable for reads) and
// its real errors.
let t: Telemetry;
let unbind: () => void;
let client: KurrentDBClient;
beforeEach(() => {
  t = createTelemetry();
  unbind = bindEventStore(t.meter, t.tracer, '', { now: () => 0 });
  client = KurrentDBClient.connectionString`kurrentdb://127.0.0.1:1?tls=false&defaultDeadline=5000`;
});
afterEach(async () => {
  await client.dispose();
  unbind();
  await t.shutdown();
});

describe('KurrentDB client', () => {
  it('records a failed append and a failed read (iterated) with the client error types', async () => {
    const db = instrumentKurrentDBClient(client);
    await expect(db.appendToStream('account-1', jsonEvent({ type: 'Deposited', data: { amount: 1 } }))).rejects.toThrow(/UNAVAILABLE/);
    const read = db.readStream('account-1');
    await expect((async () => {
      for await (const event of read) void event;
    })()).rejects.toThrow();
    const points = await t.points('eventstore.operation.duration');
    const seen = points.map((p) => [p.attributes['eventstore.operation'], p.attributes['eventstore.outcome'], (p.value as Histogram).count]);
    expect(seen).toEqual(expect.arrayContaining([['append', 'failure', 1], ['read', 'failure', 1]]));
    const spans = await t.spans();
    expect(spans.map((s) => [s.name, s.kind, s.attributes['eventstore.system']])).toEqual([
      ['eventstore append', SpanKind.CLIENT, 'kurrentdb'],
      ['eventstore read', SpanKind.CLIENT, 'kurrentdb'],
    ]);
  });

  it('classifies WrongExpectedVersionError as a conflict', () => {
    expect(outcomeOfError(new WrongExpectedVersionError(undefined, { streamName: 's', expected: 1n, current: 2n }))).toBe('conflict');
    expect(outcomeOfError(new Error('io'))).toBe('failure');
  });
});
