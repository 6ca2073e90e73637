import type { AttributeValues, Catalog } from '@otelkit/node/kit';

export const catalog = [
  {
    name: 'circuit_breaker.state',
    kind: 'state_set',
    unit: '{state}',
    description: 'Breaker state: one series per state, 1 for the current one.',
    attributes: [{ key: 'circuit_breaker.name' }, { key: 'circuit_breaker.state', values: ['closed', 'open', 'half_open', 'isolated'] }],
    stateAttribute: 'circuit_breaker.state',
  },
  {
    name: 'circuit_breaker.transitions',
    kind: 'counter',
    unit: '{transition}',
    description: 'State transitions, by the state entered.',
    attributes: [{ key: 'circuit_breaker.name' }, { key: 'circuit_breaker.state', values: ['closed', 'open', 'half_open', 'isolated'] }],
  },
  {
    name: 'circuit_breaker.calls',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls through the breaker, once each, by outcome (rejected: not attempted because the breaker is open, isolated or full).',
    attributes: [{ key: 'circuit_breaker.name' }, { key: 'circuit_breaker.outcome', values: ['success', 'failure', 'timeout', 'rejected'] }],
  },
  {
    name: 'circuit_breaker.call.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of attempted calls through the breaker, by outcome (rejected calls are not attempted).',
    attributes: [{ key: 'circuit_breaker.name' }, { key: 'circuit_breaker.outcome', values: ['success', 'failure', 'timeout'] }],
  },
  {
    name: 'circuit_breaker.fallbacks',
    kind: 'counter',
    unit: '{call}',
    description: 'Calls answered by the fallback function, by the outcome that triggered it.',
    attributes: [{ key: 'circuit_breaker.name' }, { key: 'circuit_breaker.outcome', values: ['failure', 'timeout', 'rejected'] }],
  },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
catalog satisfies Catalog;

export type BreakerState = AttributeValues<typeof catalog, 'circuit_breaker.state', 'circuit_breaker.state'>;
export type BreakerOutcome = AttributeValues<typeof catalog, 'circuit_breaker.calls', 'circuit_breaker.outcome'>;
