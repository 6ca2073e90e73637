import type { Attributes } from '@opentelemetry/api';
import type { Instruments } from '@otelkit/node';
import { afterEach, expect, it } from 'vitest';
import type { catalog } from './catalog.js';
import { BreakerRecorder, useInstruments } from './recorder.js';

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
