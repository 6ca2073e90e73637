import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { Server, ServerCredentials, type ServerReadableStream, type ServiceDefinition } from '@grpc/grpc-js';
import { KurrentDBClient, WrongExpectedVersionError, jsonEvent } from '@kurrent/kurrentdb-client';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindEventStore } from '../instrument.js';
import { outcomeOfError } from '../errors.js';
import { extractTraceContext } from '../trace-context.js';
import * as kurrent from '@kurrent/kurrentdb-client';
import { createKurrentDBInstrumentation, instrumentKurrentDBClient, patchKurrentDBClient } from './kurrentdb.js';

// No KurrentDB server runs here. These tests drive the real client (1) against a closed loopback port, so the
// adapter sees the client's real return types (a promise for appends, an async iterable for reads) and real errors,
// and (2) against a stand-in for the server's gRPC Streams.Append method built from the client's own generated
// protocol code, so an append goes over the wire and the test can read the metadata the client sent.
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

// ---- a stand-in for KurrentDB's Streams.Append, from the protocol code the client ships

interface Proposed {
  getCustomMetadata_asU8(): Uint8Array;
  getMetadataMap(): { get(key: string): string | undefined };
}
interface AppendRequest {
  hasOptions(): boolean;
  getOptions(): { hasRevision(): boolean; getRevision(): string } | undefined;
  getProposedMessage(): Proposed | undefined;
}
const clientRequire = createRequire(createRequire(import.meta.url).resolve('@kurrent/kurrentdb-client'));
const services = clientRequire('../generated/kurrentdb/protocols/v1/streams_grpc_pb.js') as { StreamsService: ServiceDefinition };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- generated protobuf classes without usable types here
const pb = clientRequire('../generated/kurrentdb/protocols/v1/streams_pb.js') as any;

async function startAppendStandIn(): Promise<{ port: number; received: Record<string, unknown>[][]; close(): Promise<void> }> {
  const received: Record<string, unknown>[][] = [];
  let revision = -1;
  const server = new Server();
  server.addService(services.StreamsService, {
    append(call: ServerReadableStream<AppendRequest, unknown>, callback: (error: null, response: unknown) => void): void {
      let expected: string | undefined;
      const batch: Record<string, unknown>[] = [];
      call.on('data', (req: AppendRequest) => {
        const options = req.hasOptions() ? req.getOptions() : undefined;
        if (options?.hasRevision() === true) expected = options.getRevision();
        const message = req.getProposedMessage();
        if (message !== undefined) batch.push(JSON.parse(Buffer.from(message.getCustomMetadata_asU8()).toString('utf8')) as Record<string, unknown>);
      });
      call.on('end', () => {
        const resp = new pb.AppendResp();
        if (expected !== undefined && expected !== String(revision)) {
          const wrong = new pb.AppendResp.WrongExpectedVersion();
          wrong.setCurrentRevision(String(revision));
          wrong.setExpectedRevision(expected);
          resp.setWrongExpectedVersion(wrong);
        } else {
          received.push(batch);
          revision += batch.length;
          const success = new pb.AppendResp.Success();
          success.setCurrentRevision(String(revision));
          const position = new pb.AppendResp.Position();
          position.setCommitPosition(String(revision * 100));
          position.setPreparePosition(String(revision * 100));
          success.setPosition(position);
          resp.setSuccess(success);
        }
        callback(null, resp);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error: Error | null, p: number) => (error ? reject(error) : resolve(p))),
  );
  return { port, received, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

describe('KurrentDB client over the wire (Streams.Append stand-in)', () => {
  it('sends the append span context in each event\'s metadata ($traceId/$spanId and traceparent) and counts conflicts', async () => {
    const standIn = await startAppendStandIn();
    const wire = KurrentDBClient.connectionString(`kurrentdb://127.0.0.1:${standIn.port}?tls=false`);
    try {
      const db = instrumentKurrentDBClient(wire);
      const result = await db.appendToStream('account-1', [
        jsonEvent({ type: 'Deposited', data: { amount: 1 }, metadata: { correlationId: 'c-1' } }),
        jsonEvent({ type: 'Deposited', data: { amount: 2 } }),
      ]);
      expect(result.success).toBe(true);
      await expect(db.appendToStream('account-1', jsonEvent({ type: 'Deposited', data: { amount: 3 } }), { streamState: 0n })).rejects.toBeInstanceOf(WrongExpectedVersionError);

      const append = (await t.spans()).find((s) => s.name === 'eventstore append');
      const [first, second] = standIn.received[0] ?? [];
      expect(first).toMatchObject({ correlationId: 'c-1', $traceId: append?.spanContext().traceId, $spanId: append?.spanContext().spanId });
      expect(extractTraceContext(second)?.spanId).toBe(append?.spanContext().spanId);
      expect((first as Record<string, unknown>).traceparent).toBe(`00-${append?.spanContext().traceId}-${append?.spanContext().spanId}-01`);
      const seen = (await t.points('eventstore.operation.duration')).map((p) => [p.attributes['eventstore.outcome'], p.attributes['error.type'], (p.value as Histogram).count]);
      expect(seen).toEqual(expect.arrayContaining([['success', undefined, 1], ['conflict', 'WrongExpectedVersionError', 1]]));
      expect((await t.point('eventstore.events', { 'eventstore.system': 'kurrentdb', 'eventstore.operation': 'append' }))?.value).toBe(2);
    } finally {
      await wire.dispose();
      await standIn.close();
    }
  });
});

describe('KurrentDB client patched by the module hook', () => {
  it('measures every client once, also when the app wraps one explicitly, and unpatches cleanly', async () => {
    const standIn = await startAppendStandIn();
    const original = KurrentDBClient.prototype.appendToStream;
    const instrumentation = await createKurrentDBInstrumentation();
    const [definition] = instrumentation.getModuleDefinitions();
    expect(definition?.name).toBe('@kurrent/kurrentdb-client');
    definition?.patch?.(kurrent);
    const plain = KurrentDBClient.connectionString(`kurrentdb://127.0.0.1:${standIn.port}?tls=false`);
    try {
      expect(KurrentDBClient.prototype.appendToStream).not.toBe(original);
      await plain.appendToStream('s-1', jsonEvent({ type: 'A', data: {} }));
      await instrumentKurrentDBClient(plain).appendToStream('s-1', jsonEvent({ type: 'A', data: {} }));
      expect((await t.point('eventstore.events', { 'eventstore.system': 'kurrentdb', 'eventstore.operation': 'append' }))?.value).toBe(2);
      expect((await t.spans()).filter((s) => s.name === 'eventstore append')).toHaveLength(2);
      expect(standIn.received.flat().every((m) => typeof m.$traceId === 'string')).toBe(true);
    } finally {
      definition?.unpatch?.(kurrent);
      await plain.dispose();
      await standIn.close();
    }
    expect(KurrentDBClient.prototype.appendToStream).toBe(original);
  });

  it('patches any class shape idempotently', () => {
    class Fake {
      appendToStream(): Promise<void> {
        return Promise.resolve();
      }
    }
    const before = Fake.prototype.appendToStream;
    const undo = patchKurrentDBClient(Fake);
    const patched = Fake.prototype.appendToStream;
    patchKurrentDBClient(Fake);
    expect(Fake.prototype.appendToStream).toBe(patched);
    undo();
    expect(Fake.prototype.appendToStream).toBe(before);
  });
});
