import type { AlertSpec, DashboardSpec } from '../artifacts/types.js';
import type { Catalog } from '../catalog.js';
import { hostAlerts, hostCatalog, hostDashboard } from './host.js';
import { SERVER_JOBS } from './jobs.js';
import { postgresqlAlerts, postgresqlCatalog, postgresqlDashboard } from './postgresql.js';
import { redisAlerts, redisCatalog, redisDashboard } from './redis.js';

// The server side of databases, caches and hosts (collector/receivers.yaml): one catalog, dashboard and alert list
// per server, generated like a pack's (`pnpm generate` writes collector/grafana/dashboards/servers/<name>.json,
// collector/prometheus/rules/<name>.rules.yml and the tables of collector/servers.md).

export interface ServerArtifacts {
  /** File and rule-group name: `<name>.json`, `<name>.rules.yml`, group `otelkit-<name>`. */
  readonly name: string;
  readonly title: string;
  /** The job its series arrive under. */
  readonly job: string;
  /** What produces the series (for the docs). */
  readonly source: string;
  readonly catalog: Catalog;
  readonly dashboard: DashboardSpec;
  readonly alerts: readonly AlertSpec[];
}

export const servers: readonly ServerArtifacts[] = [
  {
    name: 'postgresql', title: 'PostgreSQL', job: SERVER_JOBS.postgresql,
    source: 'postgres_exporter (Debian) with collector/postgres-exporter/queries.yaml, scraped by the collector\'s prometheus receiver',
    catalog: postgresqlCatalog, dashboard: postgresqlDashboard, alerts: postgresqlAlerts,
  },
  {
    name: 'redis', title: 'Redis', job: SERVER_JOBS.redis,
    source: 'the collector\'s redis receiver',
    catalog: redisCatalog, dashboard: redisDashboard, alerts: redisAlerts,
  },
  {
    name: 'host', title: 'Host', job: SERVER_JOBS.host,
    source: 'node_exporter (Debian), scraped by the collector\'s prometheus receiver',
    catalog: hostCatalog, dashboard: hostDashboard, alerts: hostAlerts,
  },
];

export { SERVER_JOBS };
