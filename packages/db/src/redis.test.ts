// ioredis 6 and node-redis 6 against a real redis-server: commands are measured from the clients' tracing channels,
// by upper-case command name, with errors by class; nothing is patched.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './__fixtures__/servers.js';
import { packUnderTest } from './__fixtures__/pack-under-test.js';

const p = packUnderTest();
const { t } = p;
let server: RedisServer;

const count = p.operations;
const redis = (operation: string, extra: Record<string, string> = {}): Record<string, string | number> =>
  ({ 'db.system.name': 'redis', 'db.operation.name': operation, 'db.namespace': '0', 'server.address': '127.0.0.1', 'server.port': server.port, ...extra });

beforeAll(async () => {
  server = await startRedis();
  await p.start();
}, 600_000);

afterAll(async () => {
  await p.close();
  await server?.stop();
});

it('measures ioredis commands once each, errors by the name the client gives them', async () => {
  const client = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
  await client.connect();
  const before = { set: await count(redis('SET')), get: await count(redis('GET')) };
  await client.set('k1', 'v');
  await client.get('k1');
  await client.get('missing');
  await expect(client.incr('k1')).rejects.toThrow(/not an integer/);
  await client.quit();
  expect(await count(redis('SET'))).toBe(before.set + 1);
  expect(await count(redis('GET'))).toBe(before.get + 2);
  expect(await count(redis('INCR', { 'error.type': 'ReplyError' }))).toBe(1);
});

it('measures node-redis commands once each, with CLIENT spans under the active span', async () => {
  const client = createClient({ url: server.url });
  await client.connect();
  const before = { hset: await count(redis('HSET')), hget: await count(redis('HGET')) };
  const parent = t.tracer.startSpan('parent');
  await context.with(trace.setSpan(context.active(), parent), () => client.hSet('h1', 'f', 'v'));
  await client.hGet('h1', 'f');
  await expect(client.lPush('h1', 'x')).rejects.toThrow(/WRONGTYPE/);
  parent.end();
  await client.close();
  expect(await count(redis('HSET'))).toBe(before.hset + 1);
  expect(await count(redis('HGET'))).toBe(before.hget + 1);
  expect(await count(redis('LPUSH', { 'error.type': 'SimpleError' }))).toBe(1);
  const spans = await t.spans();
  const hset = spans.find((s) => s.name === 'HSET');
  expect(hset).toMatchObject({ kind: SpanKind.CLIENT });
  expect(hset?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  expect(hset?.attributes).toMatchObject({ 'db.system.name': 'redis', 'db.operation.name': 'HSET', 'db.namespace': '0', 'server.port': server.port });
  expect(spans.find((s) => s.name === 'LPUSH')?.status.code).toBe(SpanStatusCode.ERROR);
});

it('stops recording when the pack is disposed', async () => {
  const client = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
  await client.connect();
  await p.stop();
  const before = await count(redis('PING'));
  await client.ping();
  await client.quit();
  expect(await count(redis('PING'))).toBe(before);
  await p.start();
});
