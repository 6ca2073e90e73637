import type { AttributeValues, Catalog } from '@otelkit/node/kit';

export const catalog = [
  {
    name: 'eventstore.operation.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of event store operations.',
    attributes: [
      { key: 'eventstore.system', description: 'The store, e.g. emmett.inmemory, emmett.postgresql, kurrentdb.' },
      { key: 'eventstore.operation', values: ['append', 'read', 'aggregate', 'exists'] },
      { key: 'eventstore.outcome', values: ['success', 'conflict', 'failure'] },
      { key: 'error.type', optional: true },
    ],
  },
  {
    name: 'eventstore.events',
    kind: 'counter',
    unit: '{event}',
    description: 'Events appended or read.',
    attributes: [{ key: 'eventstore.system' }, { key: 'eventstore.operation', values: ['append', 'read'] }],
  },
  {
    name: 'eventstore.batch.size',
    kind: 'histogram',
    unit: '{event}',
    description: 'Events per append or read call.',
    attributes: [{ key: 'eventstore.system' }, { key: 'eventstore.operation', values: ['append', 'read'] }],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
catalog satisfies Catalog;

export type EventStoreOperation = AttributeValues<typeof catalog, 'eventstore.operation.duration', 'eventstore.operation'>;
export type EventStoreOutcome = AttributeValues<typeof catalog, 'eventstore.operation.duration', 'eventstore.outcome'>;
