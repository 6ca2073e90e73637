import type { Histogram } from '@opentelemetry/sdk-metrics';
import { BrokenCircuitError, ConsecutiveBreaker, IsolatedCircuitError, TaskCancelledError, TimeoutStrategy, circuitBreaker, handleAll, timeout, wrap } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import pack from '../pack.js';
import { instrumentCircuitBreaker } from './cockatiel.js';

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

const attrs = (more: Record<string, string>): Record<string, string> => ({ 'circuit_breaker.name': 'payments', ...more });
const calls = (outcome: string): Promise<unknown> => t.value('circuit_breaker.calls', attrs({ 'circuit_breaker.outcome': outcome }));
const state = (s: string): Promise<unknown> => t.value('circuit_breaker.state', attrs({ 'circuit_breaker.state': s }));
const transitions = (s: string): Promise<unknown> => t.value('circuit_breaker.transitions', attrs({ 'circuit_breaker.state': s }));

describe('instrumentCircuitBreaker (cockatiel)', () => {
  it('records outcomes, durations, rejections, isolation and every transition', async () => {
    const policy = instrumentCircuitBreaker(
      circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(2) }),
      { name: 'payments' },
    );
    expect(await state('closed')).toBe(1);
    expect(await policy.execute(() => 'ok')).toBe('ok');
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    // Two consecutive failures opened it: the next calls are not attempted.
    await expect(policy.execute(() => 'never')).rejects.toBeInstanceOf(BrokenCircuitError);
    await expect(policy.execute(() => 'never')).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(await state('open')).toBe(1);
    expect(await state('closed')).toBe(0);

    const isolation = policy.isolate();
    await expect(policy.execute(() => 'never')).rejects.toBeInstanceOf(IsolatedCircuitError);
    expect(await state('isolated')).toBe(1);
    isolation.dispose();
    expect(await state('closed')).toBe(1);

    expect(await calls('success')).toBe(1);
    expect(await calls('failure')).toBe(2);
    expect(await calls('rejected')).toBe(3);
    const failure = (await t.value('circuit_breaker.call.duration', attrs({ 'circuit_breaker.outcome': 'failure' }))) as Histogram;
    expect(failure.count).toBe(2);
    expect(await transitions('open')).toBe(1);
    expect(await transitions('isolated')).toBe(1);
    expect(await transitions('closed')).toBe(1);
  });

  it('counts once when a policy is instrumented twice, and requires a name', async () => {
    const policy = circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) });
    instrumentCircuitBreaker(instrumentCircuitBreaker(policy, { name: 'payments' }), { name: 'payments' });
    await policy.execute(() => 1);
    expect(await calls('success')).toBe(1);
    expect(() => instrumentCircuitBreaker(policy, { name: '' })).toThrow(/otelkit: .*name/);
  });
});

describe('a breaker wrapped around a timeout policy', () => {
  it('counts a cancelled call as timeout', async () => {
    const breaker = instrumentCircuitBreaker(circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }), { name: 'payments' });
    const policy = wrap(breaker, timeout(10, TimeoutStrategy.Aggressive));
    await expect(policy.execute(() => new Promise((resolve) => setTimeout(resolve, 1_000)))).rejects.toBeInstanceOf(TaskCancelledError);
    expect(await calls('timeout')).toBe(1);
    expect(await calls('failure')).toBeUndefined();
  });
});

describe('a policy instrumented before the pack is set up', () => {
  it('publishes its state once the pack starts, and records from then on', async () => {
    await dispose();
    const policy = instrumentCircuitBreaker(
      circuitBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(1) }),
      { name: 'payments' },
    );
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const handle = await pack.setup(t.ctx());
    dispose = () => handle?.dispose();
    expect(await state('open')).toBe(1);
    expect(await calls('failure')).toBeUndefined();
    await expect(policy.execute(() => 'never')).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(await calls('rejected')).toBe(1);
  });
});
