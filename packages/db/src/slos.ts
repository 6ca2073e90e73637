import type { SloSpec } from '@otelkit/node/artifacts';

// Availability of the databases as the service sees them: the share of client operations that fail, by system.
export const slos: readonly SloSpec[] = [
  {
    name: 'db-availability',
    description: 'Database client operations (PostgreSQL queries, Redis commands) that fail.',
    objective: 0.999,
    by: ['db.system.name'],
    bad: 'rate({{db.client.operation.duration:count}}{error_type!=""}[$window])',
    total: 'rate({{db.client.operation.duration:count}}[$window])',
  },
];
