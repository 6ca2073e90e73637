// End to end, the server side (collector/receivers.yaml): examples/bank on a real PostgreSQL and a real Redis, and the
// real stack started with its server metrics on (postgres_exporter and node_exporter on loopback, the collector with
// receivers.yaml as a second --config; scripts/stack/servers.mjs). Proves: every metric of the server catalogs
// (packages/node/src/servers) arrives in Prometheus under the name the collector's translation gives it, through the
// collector; every query of the server dashboards returns data; and the database-down and Redis-down alerts fire
// when the test stops PostgreSQL and Redis. The series each server produced are printed at the end ("servers e2e").
//
// Test-only overrides: the servers are read every 2 s instead of 15 s, and Prometheus evaluates a copy of the shipped
// rules with each `for` shortened to 10 s (test/support/test-rules.ts); the shipped files are tested unchanged by
// scripts/generate/prometheus-rules.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePrometheus, repoRoot } from '../../scripts/stack/backends.mjs';
import { freePort, runLoad, startBank, type BankProcess } from '../../examples/bank/test/run-bank.ts';
import { familyName } from '../../packages/node/src/artifacts/promql.ts';
import { SERVER_JOBS, servers } from '../../packages/node/src/servers/index.ts';
import { emptyQueriesOfDashboards } from '../support/dashboards.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { loadTestRules } from '../support/test-rules.ts';

const SERVICE = 'bank-servers-e2e';
let stack: Stack;
let bank: BankProcess;
let postgres: PostgresServer;
let redis: RedisServer;
let startedAt = 0;
const figures: Record<string, unknown> = {};

async function promValue(expr: string): Promise<number> {
  const result = await stack.promQuery(expr);
  return result.length === 0 ? 0 : Number(result[0]?.value[1]);
}

async function firing(alertname: string): Promise<{ job: string; instance: string }[]> {
  const res = await fetch(`${stack.urls.prometheus}/api/v1/alerts`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
  return body.data.alerts
    .filter((a) => a.state === 'firing' && a.labels.alertname === alertname)
    .map((a) => ({ job: a.labels.job ?? '', instance: a.labels.instance ?? '' }));
}

beforeAll(async () => {
  startedAt = Math.floor(Date.now() / 1000) - 5;
  postgres = await startPostgres();
  redis = await startRedis();
  const database = await postgres.createDatabase('bank_servers_e2e');
  // Rejects with a BackendUnavailableError naming the backend and why when a binary cannot be built or installed.
  stack = await startStack({
    alertmanager: false,
    servers: { postgresUrl: `${database}?sslmode=disable`, redisEndpoint: `127.0.0.1:${redis.port}`, interval: '2s' },
  });
  bank = await startBank({
    metricsPort: await freePort(),
    env: {
      DATABASE_URL: database,
      REDIS_URL: redis.url,
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: stack.urls.otlpGrpc,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${stack.urls.otlpHttp}/v1/traces`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    },
  });
  // Work for every server: commands write events to PostgreSQL; account reads go through the Redis cache (a miss,
  // then hits).
  const report = await runLoad(bank.url, { rate: 20, duration: 8, errorShare: 0.1, accounts: 4 });
  expect(report.mismatches).toBe(0);
  for (const account of report.accounts) {
    for (let i = 0; i < 3; i++) expect((await fetch(`${bank.url}/accounts/${account}`)).status).toBe(200);
  }
}, 1_800_000);

afterAll(async () => {
  await bank?.stop();
  await stack?.stop();
  await redis?.stop();
  await postgres?.stop();
  console.log(`servers e2e: ${JSON.stringify(figures)}`);
});

describe('server metrics through the collector', () => {
  it.each(servers.map((s) => [s.title, s] as const))('%s: every catalog metric arrives under the translated name', async (_title, server) => {
    const names = server.catalog.map((def) => familyName(def));
    for (const name of names) {
      await expect
        .poll(() => promValue(`count({__name__="${name}", job="${server.job}"})`), { timeout: 60_000, interval: 1_000, message: `${name}{job="${server.job}"}` })
        .toBeGreaterThan(0);
    }
    // Through the collector: each is in its prometheus exporter's exposition (Prometheus' job otel-collector keeps
    // the exposition's job label, honor_labels).
    const exposition = await (await fetch(stack.urls.collectorExporter, { signal: AbortSignal.timeout(10_000) })).text();
    for (const name of names) expect(exposition, name).toMatch(new RegExp(`^${name}\\{[^}]*job="${server.job}"`, 'm'));
    figures[server.job] = names;
  });

  it('carries the collector\'s view of each scraped exporter as up{job=...}, which OtelkitPostgresDown also reads', async () => {
    for (const job of [SERVER_JOBS.postgresql, SERVER_JOBS.host]) {
      await expect.poll(() => promValue(`max(up{job="${job}"})`), { timeout: 30_000, message: `up{job="${job}"}` }).toBe(1);
    }
  });

  it('adds _total to the scraped exporters\' counters that lack it, and only the translated names exist', async () => {
    const counters = servers.flatMap((s) => s.catalog.filter((d) => d.kind === 'counter' && !d.name.endsWith('_total')).map((d) => ({ job: s.job, raw: d.name })));
    expect(counters.length).toBeGreaterThan(0);
    for (const { job, raw } of counters.filter((c) => !c.raw.includes('.'))) {
      expect(await promValue(`count({__name__="${raw}", job="${job}"})`), `${raw} untranslated`).toBe(0);
      expect(await promValue(`count({__name__="${raw}_total", job="${job}"})`), `${raw}_total`).toBeGreaterThan(0);
    }
  });

  it('answers every query of the server dashboards with at least one series', async () => {
    const dir = join(repoRoot, 'collector', 'grafana', 'dashboards', 'servers');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(servers.map((s) => `${s.name}.json`).sort());
    // Rates need two samples inside Grafana's $__rate_interval (1m here): each dashboard is asked until it answers.
    const { empty, queries } = await emptyQueriesOfDashboards(stack, dir, files, { since: startedAt, waitMs: 60_000 });
    figures.dashboardQueries = queries;
    expect(empty).toEqual([]);
  });
});

// Last: it stops the servers.
describe('server alerts', () => {
  it('fires OtelkitPostgresDown and OtelkitRedisDown when the test stops PostgreSQL and Redis, not before', async () => {
    const { promtool } = await ensurePrometheus();
    await loadTestRules(stack, promtool, { madeBy: 'test/e2e/servers.test.ts' });
    // Quiet while both run: give the rules a few evaluations past their 10 s `for`.
    await new Promise((r) => setTimeout(r, 15_000));
    expect(await firing('OtelkitPostgresDown')).toEqual([]);
    expect(await firing('OtelkitRedisDown')).toEqual([]);

    const stoppedAt = Date.now();
    await bank.stop();
    await Promise.all([postgres.stop(), redis.stop()]);
    // postgres_exporter keeps answering, with pg_up 0; the redis receiver gets no answer, so Redis's uptime stops
    // advancing in the collector's exposition.
    await expect.poll(() => promValue(`max(pg_up{job="${SERVER_JOBS.postgresql}"})`), { timeout: 60_000, interval: 1_000 }).toBe(0);
    await expect.poll(() => firing('OtelkitPostgresDown'), { timeout: 90_000, interval: 1_000 }).toEqual([expect.objectContaining({ job: SERVER_JOBS.postgresql })]);
    figures.postgresDownAfterSeconds = Math.round((Date.now() - stoppedAt) / 1000);
    await expect.poll(() => firing('OtelkitRedisDown'), { timeout: 240_000, interval: 2_000 }).toEqual([{ job: SERVER_JOBS.redis, instance: `127.0.0.1:${redis.port}` }]);
    figures.redisDownAfterSeconds = Math.round((Date.now() - stoppedAt) / 1000);
  });
});
