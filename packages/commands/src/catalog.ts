import type { AttributeValues, Catalog } from '@otelkit/node/kit';

export const catalog = [
  {
    name: 'command.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of command handling, by command type and outcome.',
    attributes: [
      { key: 'command.type', description: 'The command type, e.g. OpenAccount.' },
      { key: 'command.outcome', values: ['success', 'rejected', 'conflict', 'failure'] },
      { key: 'error.type', optional: true, description: 'Error class name, on non-success outcomes.' },
    ],
  },
  {
    name: 'command.active',
    kind: 'up_down_counter',
    unit: '{command}',
    description: 'Commands being handled right now.',
    attributes: [{ key: 'command.type' }],
  },
  {
    name: 'command.retries',
    kind: 'counter',
    unit: '{retry}',
    description: 'Command handling retries, by reason.',
    attributes: [{ key: 'command.type' }, { key: 'retry.reason', values: ['conflict', 'transient'] }],
  },
  {
    name: 'command.overflows',
    kind: 'counter',
    unit: '{command}',
    description: 'Commands recorded as command.type=_OTHER because the pack already keeps 1000 distinct command types (its state is bounded).',
    attributes: [],
  },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
catalog satisfies Catalog;

export type CommandOutcome = AttributeValues<typeof catalog, 'command.duration', 'command.outcome'>;
