import type { Attributes } from '@opentelemetry/api';
import type { Instruments } from '@otelkit/node';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, expect, it } from 'vitest';
import type { catalog } from './catalog.js';
import { BreakerRecorder, trackedRecorders, useInstruments } from './recorder.js';

afterEach(() => useInstruments(undefined));

it('hands the SDK the same attribute object on every call of one outcome: nothing is allocated per call', () => {
  const seen: Attributes[] = [];
  const record = (_value: number, attributes?: Attributes): void => {
    if (attributes !== undefined) seen.push(attributes);
  };
  const fake = {
    'circuit_breaker.calls': { add: record },
    'circuit_breaker.call.duration': { record },
    'circuit_breaker.fallbacks': { add: record },
    'circuit_breaker.transitions': { add: record },
    'circuit_breaker.state': { set: () => undefined },
  } as unknown as Instruments<typeof catalog>;
  useInstruments(fake);
  const recorder = new BreakerRecorder('ledger');
  recorder.call('success', 0.01);
  recorder.call('success', 0.02);
  recorder.call('failure', 0.5);
  expect(seen).toHaveLength(6);
  expect(seen[0]).toEqual({ 'circuit_breaker.name': 'ledger', 'circuit_breaker.outcome': 'success' });
  expect(new Set(seen.slice(0, 4)).size).toBe(1);
  expect(seen[4]).toEqual({ 'circuit_breaker.name': 'ledger', 'circuit_breaker.outcome': 'failure' });
});

it('keeps its weak set of recorders bounded when an app creates breakers and drops them (100k)', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const kept: BreakerRecorder[] = [];
  for (let batch = 0; batch < 100; batch++) {
    for (let i = 0; i < 1000; i++) {
      const recorder = new BreakerRecorder(`per-request-${batch}-${i}`);
      if (i === 0) kept.push(recorder);
    }
    // WeakRef targets stay alive until the current job ends: let it end, then collect.
    await new Promise((r) => setImmediate(r));
    gc();
  }
  // 100 kept alive; without the sweep, 100,000 refs (one per breaker ever created)
  expect(trackedRecorders()).toBeLessThan(2 * 1000 + 2 * kept.length + 64);
  expect(kept).toHaveLength(100);
});
