import type { AttributeValues, Catalog } from '@otelkit/node/kit';

export const catalog = [
  {
    name: 'projection.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time to handle one event (or batch) in a projection.',
    attributes: [{ key: 'projection.name' }, { key: 'projection.outcome', values: ['processed', 'skipped', 'failed'] }],
  },
  {
    name: 'projection.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Events handled by a projection, by outcome.',
    attributes: [{ key: 'projection.name' }, { key: 'projection.outcome', values: ['processed', 'skipped', 'failed'] }],
  },
  {
    name: 'projection.lag',
    kind: 'gauge',
    unit: 's',
    description: 'Age of the last handled event when it was handled (now minus event timestamp).',
    attributes: [{ key: 'projection.name' }],
  },
  {
    name: 'projection.lag.events',
    kind: 'gauge',
    unit: '{event}',
    description: 'Events between the store head and the projection checkpoint.',
    attributes: [{ key: 'projection.name' }],
  },
  {
    name: 'projection.checkpoints',
    kind: 'counter',
    unit: '{checkpoint}',
    description: 'Checkpoint updates stored by a projection.',
    attributes: [{ key: 'projection.name' }],
  },
  {
    name: 'projection.status',
    kind: 'state_set',
    unit: '{state}',
    description: 'Projection state: one series per state, 1 for the current one.',
    attributes: [{ key: 'projection.name' }, { key: 'projection.state', values: ['starting', 'running', 'catching_up', 'stalled', 'failed', 'stopped'] }],
    stateAttribute: 'projection.state',
  },
  {
    name: 'projection.lag.timeouts',
    kind: 'counter',
    unit: '{query}',
    description: 'Collections that left a projection out of projection.lag.events because its head or checkpoint query had not answered within lagQueryTimeoutMillis.',
    attributes: [{ key: 'projection.name' }],
  },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
catalog satisfies Catalog;

export type ProjectionOutcome = AttributeValues<typeof catalog, 'projection.events', 'projection.outcome'>;
export type ProjectionState = AttributeValues<typeof catalog, 'projection.status', 'projection.state'>;
