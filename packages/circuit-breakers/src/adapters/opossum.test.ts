import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import pack from '../pack.js';
import { instrumentOpossum } from './opossum.js';

interface Breaker {
  fire(...args: unknown[]): Promise<unknown>;
  fallback(fn: (...args: unknown[]) => unknown): void;
  shutdown(): void;
  readonly opened: boolean;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type BreakerClass = new (action: (...args: never[]) => unknown, options?: Record<string, unknown>) => Breaker;

const require = createRequire(import.meta.url);

let t: Telemetry;
let dispose: () => void | Promise<void>;

beforeEach(async () => {
  t = createTelemetry({ scope: '@otelkit/circuit-breakers' });
  const handle = await pack.setup(t.ctx());
  dispose = () => handle?.dispose();
});
afterEach(async () => {
  await dispose();
  await t.shutdown();
});

const name = (n: string, more: Record<string, string> = {}): Record<string, string> => ({ 'circuit_breaker.name': n, ...more });
const calls = (n: string, outcome: string): Promise<unknown> => t.value('circuit_breaker.calls', name(n, { 'circuit_breaker.outcome': outcome }));
const state = (n: string, s: string): Promise<unknown> => t.value('circuit_breaker.state', name(n, { 'circuit_breaker.state': s }));
const transitions = (n: string, s: string): Promise<unknown> => t.value('circuit_breaker.transitions', name(n, { 'circuit_breaker.state': s }));

describe('opossum, patched when required after setup', () => {
  it('records calls by outcome, durations, fallbacks, state and transitions of a breaker the app creates', async () => {
    const CircuitBreaker = require('opossum') as BreakerClass;
    let fail = true;
    let hang: (() => void) | undefined;
    const breaker = new CircuitBreaker(
      (mode: string) => {
        if (mode === 'hang') return new Promise<string>((resolve) => (hang = () => resolve('late')));
        return fail ? Promise.reject(new Error('down')) : Promise.resolve('ok');
      },
      { name: 'ledger', timeout: 200, errorThresholdPercentage: 50, volumeThreshold: 3, resetTimeout: 150 },
    );
    breaker.fallback(() => 'cached');

    // Three failures reach the volume threshold and open the breaker; each is answered by the fallback.
    for (let i = 0; i < 3; i++) expect(await breaker.fire('call')).toBe('cached');
    expect(breaker.opened).toBe(true);
    // Open: two calls are rejected without being attempted.
    expect(await breaker.fire('call')).toBe('cached');
    expect(await breaker.fire('call')).toBe('cached');
    // After resetTimeout the breaker half-opens; one success closes it.
    await once(breaker as unknown as NodeJS.EventEmitter, 'halfOpen');
    fail = false;
    expect(await breaker.fire('call')).toBe('ok');
    expect(await breaker.fire('call')).toBe('ok');
    // A call that outlives the timeout counts once, as timeout (opossum also emits `failure` for it).
    expect(await breaker.fire('hang')).toBe('cached');
    hang?.();

    expect(await calls('ledger', 'failure')).toBe(3);
    expect(await calls('ledger', 'rejected')).toBe(2);
    expect(await calls('ledger', 'success')).toBe(2);
    expect(await calls('ledger', 'timeout')).toBe(1);
    expect(await t.value('circuit_breaker.fallbacks', name('ledger', { 'circuit_breaker.outcome': 'failure' }))).toBe(3);
    expect(await t.value('circuit_breaker.fallbacks', name('ledger', { 'circuit_breaker.outcome': 'rejected' }))).toBe(2);
    expect(await t.value('circuit_breaker.fallbacks', name('ledger', { 'circuit_breaker.outcome': 'timeout' }))).toBe(1);
    const success = (await t.value('circuit_breaker.call.duration', name('ledger', { 'circuit_breaker.outcome': 'success' }))) as Histogram;
    expect(success.count).toBe(2);
    const timeout = (await t.value('circuit_breaker.call.duration', name('ledger', { 'circuit_breaker.outcome': 'timeout' }))) as Histogram;
    expect(timeout.count).toBe(1);
    expect(timeout.min).toBeGreaterThanOrEqual(0.19); // recorded in seconds: opossum's 200 ms timeout
    expect(await t.value('circuit_breaker.call.duration', name('ledger', { 'circuit_breaker.outcome': 'rejected' }))).toBeUndefined();
    expect(await transitions('ledger', 'open')).toBe(1);
    expect(await transitions('ledger', 'half_open')).toBe(1);
    expect(await transitions('ledger', 'closed')).toBe(1);
    expect(await state('ledger', 'closed')).toBe(1);
    expect(await state('ledger', 'open')).toBe(0);
    expect(await state('ledger', 'half_open')).toBe(0);
    breaker.shutdown();
    expect(await state('ledger', 'closed')).toBe(0);
  });

  it('names breakers by name, then group, then action name, never by opossum\'s random name', async () => {
    const CircuitBreaker = require('opossum') as BreakerClass;
    await new CircuitBreaker(() => Promise.resolve(1), { group: 'fx' }).fire();
    await new CircuitBreaker(function fetchRates() { return Promise.resolve(1); }).fire();
    await new CircuitBreaker(() => Promise.resolve(1)).fire();
    expect(await calls('fx', 'success')).toBe(1);
    expect(await calls('fetchRates', 'success')).toBe(1);
    expect(await calls('unnamed', 'success')).toBe(1);
  });

  it('counts once when the breaker is also instrumented explicitly', async () => {
    const CircuitBreaker = require('opossum') as BreakerClass;
    const breaker = instrumentOpossum(instrumentOpossum(new CircuitBreaker(() => Promise.resolve(1), { name: 'twice' })));
    await breaker.fire();
    expect(await calls('twice', 'success')).toBe(1);
  });

  it('stops recording on dispose and leaves opossum working', async () => {
    const CircuitBreaker = require('opossum') as BreakerClass;
    const breaker = new CircuitBreaker(() => Promise.resolve(1), { name: 'after' });
    await breaker.fire();
    await dispose();
    dispose = () => undefined;
    expect(await breaker.fire()).toBe(1);
    expect(await calls('after', 'success')).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(breaker), 'emit')).toBe(false);
  });
});
