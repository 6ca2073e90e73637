import { metrics } from '@opentelemetry/api';
import { createTelemetry } from '@otelkit/node/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bindCache, cached, cacheError, cacheLookup } from './cache.js';

const t = createTelemetry({ scope: '@otelkit/db' });
let unbind: () => void;
const ops = (name: string, outcome: string): Promise<number | undefined> =>
  t.value('cache.operations', { 'cache.name': name, 'cache.outcome': outcome }) as Promise<number | undefined>;

beforeAll(() => {
  unbind = bindCache(t.meter, t.tracer);
});

afterAll(async () => {
  unbind();
  await t.shutdown();
  metrics.disable();
});

it('counts lookups by cache and outcome', async () => {
  cacheLookup('accounts', true);
  cacheLookup('accounts', true);
  cacheLookup('accounts', false);
  cacheError('accounts');
  expect(await ops('accounts', 'hit')).toBe(2);
  expect(await ops('accounts', 'miss')).toBe(1);
  expect(await ops('accounts', 'error')).toBe(1);
});

it('cached(): a hit skips load, a miss loads and stores, a failing get falls back to load', async () => {
  const store = new Map<string, string>();
  let loads = 0;
  const read = (key: string): Promise<string> =>
    cached('users', { get: () => store.get(key), load: () => `user ${key} #${++loads}`, set: (v) => store.set(key, v) });
  expect(await read('1')).toBe('user 1 #1');
  expect(await read('1')).toBe('user 1 #1');
  expect(await cached<string>('users', { get: () => Promise.reject(new Error('down')), load: () => 'from source' })).toBe('from source');
  // A failing set does not fail the read; a failing load does.
  expect(await cached('users', { get: () => null, load: () => 'x', set: () => { throw new Error('full'); } })).toBe('x');
  await expect(cached('users', { get: () => undefined, load: () => Promise.reject(new Error('db down')) })).rejects.toThrow('db down');
  expect(await ops('users', 'hit')).toBe(1);
  expect(await ops('users', 'miss')).toBe(3);
  expect(await ops('users', 'error')).toBe(1);
});

it('keeps at most 100 cache names; later ones and empty names are _OTHER', async () => {
  for (let i = 0; i < 120; i++) cacheLookup(`c${i}`, true);
  cacheLookup('', false);
  const names = new Set((await t.points('cache.operations')).map((p) => p.attributes['cache.name']));
  expect(names.size).toBe(101);
  expect(await ops('_OTHER', 'hit')).toBe(22);
  expect(await ops('_OTHER', 'miss')).toBe(1);
});
