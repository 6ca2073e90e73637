import type { SloSpec } from '@otelkit/node/artifacts';

// Availability of commands by type: the share that ends in failure. `rejected` (a domain rule said no) and
// `conflict` (a concurrent writer won; retried) are the domain's answers, not errors of the service.
// Latency of commands by type: the share handled in more than 500 ms (a bucket bound, so the share is exact).
export const slos: readonly SloSpec[] = [
  {
    name: 'commands-availability',
    description: 'Commands of a type that end in failure (not rejected or conflict, which are the domain\'s answers).',
    objective: 0.999,
    by: ['command.type'],
    bad: 'rate({{command.duration:count}}{command_outcome="failure"}[$window])',
    total: 'rate({{command.duration:count}}[$window])',
  },
  {
    name: 'commands-latency',
    description: 'Commands of a type handled in more than 500 ms.',
    objective: 0.99,
    by: ['command.type'],
    latency: { histogram: 'command.duration', threshold: 0.5 },
  },
];
