// End to end: examples/bank under `--import @otelkit/node/register` against the real stack (the Collector built from
// collector/builder-config.yaml, Jaeger v2, Prometheus, Alertmanager; test/support/stack.ts), with bounded load.
// Proves: exact counts on both metric paths with the same series, causal traces in Jaeger, span metrics, every
// dashboard query answered on both paths (service, SLO and pipeline dashboards included), the breaker alert firing
// and reaching Alertmanager, a 30 s collector outage the app does not notice, the fast error-budget burn alert
// firing on both paths when transfers fail, and the instance-down alerts of both paths when the bank is killed —
// each delivered by Alertmanager to a webhook receiver in this test. The figures it measured are printed at the end
// ("e2e figures").
//
// Test-only overrides (documented here and in the files they write): the shipped rules wait `for: 2m`..`10m` before
// an alert fires, and the SLO error ratios are over hours and days. Prometheus here loads a generated copy of every
// shipped rules file with each `for` shortened to 10 s and, for the burn-rate test, the SLO windows shortened to
// seconds and minutes (TEST_SLO_WINDOWS), via config reloads after the stack started; the collector keeps a stopped
// app's series 20 s instead of 5 minutes (metric_expiration). The shipped files themselves are checked with
// `promtool check rules` and `promtool test rules` unchanged.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePrometheus, repoRoot } from '../../scripts/stack/backends.mjs';
import { E2E_BANK_ENV, freePort, runLoad, startBank, type BankProcess, type LoadReport } from '../../examples/bank/test/run-bank.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';
import { emptyQueriesOfDashboards } from '../support/dashboards.ts';
import { seriesOf } from '../support/prometheus-paths.ts';
import { startStack, type JaegerSpan, type JaegerTrace, type Stack } from '../support/stack.ts';
import { loadTestRules, TEST_RULE_FOR } from '../support/test-rules.ts';

const SERVICE = 'bank-e2e';
/** Series that arrived over OTLP keep the job the collector derives from service.name (honor_labels). */
const COLLECTOR_JOB = SERVICE;
/** Series scraped from the bank's own pull endpoint. */
const PULL_JOB = 'app';
const PATHS = { collector: COLLECTOR_JOB, pull: PULL_JOB } as const;

const run = promisify(execFile);
let stack: Stack;
let bank: BankProcess;
let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
let startedAt = 0;
const figures: Record<string, unknown> = {};
/** Every command this file sends, so both paths can be held to the exact total at any point. */
let commandsSent = 0;

async function promValue(expr: string): Promise<number> {
  const result = await stack.promQuery(expr);
  return result.length === 0 ? 0 : Number(result[0]?.value[1]);
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${bank.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function load(options: Parameters<typeof runLoad>[1]): Promise<LoadReport> {
  const report = await runLoad(bank.url, options);
  commandsSent += report.sent;
  return report;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function seriesDiff(normalizeLe: boolean): Promise<{ onlyCollector: string[]; onlyPull: string[] }> {
  const of = (job: string): Promise<Set<string>> => seriesOf(stack.urls.prometheus, job, { start: startedAt, normalizeLe });
  const [viaCollector, viaPull] = await Promise.all([of(COLLECTOR_JOB), of(PULL_JOB)]);
  return { onlyCollector: [...viaCollector].filter((s) => !viaPull.has(s)), onlyPull: [...viaPull].filter((s) => !viaCollector.has(s)) };
}

/** SLO windows of the test-only rules: the workbook's hours and days as seconds and minutes, so a burn shows in a test. */
const TEST_SLO_WINDOWS: Record<string, string> = { '5m': '20s', '30m': '40s', '1h': '1m', '2h': '90s', '6h': '2m', '1d': '3m', '3d': '4m' };

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

/** Alertmanager's webhook deliveries, as a receiver would get them. */
const notifications: Notification[] = [];
let webhook: Server | undefined;

function delivered(alertname: string, match: Record<string, string> = {}): string[] {
  return notifications
    .flatMap((n) => n.alerts)
    .filter((a) => a.status === 'firing' && a.labels.alertname === alertname && Object.entries(match).every(([k, v]) => a.labels[k] === v))
    .map((a) => a.labels.job ?? '');
}

/** Waits until the webhook received `alertname` firing for each of `jobs`; the error lists what it did receive. */
async function expectDelivered(alertname: string, jobs: string[], match: Record<string, string> = {}, timeout = 60_000): Promise<void> {
  try {
    await expect.poll(() => delivered(alertname, match), { timeout, interval: 1_000 }).toEqual(expect.arrayContaining(jobs));
  } catch (error) {
    const got = notifications.flatMap((n) => n.alerts.map((a) => `${a.labels.alertname ?? ''} ${a.labels.job ?? ''} ${a.status}`));
    throw new Error(`${alertname} for ${jobs.join(', ')} did not reach the webhook within ${timeout / 1000} s; it received ${JSON.stringify(got)}`, { cause: error });
  }
}

async function promAlerts(alertname: string, match: Record<string, string> = {}): Promise<string[]> {
  const body = await getJson<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>(`${stack.urls.prometheus}/api/v1/alerts`);
  return body.data.alerts
    .filter((a) => a.state === 'firing' && a.labels.alertname === alertname && Object.entries(match).every(([k, v]) => a.labels[k] === v))
    .map((a) => a.labels.job ?? '');
}

beforeAll(async () => {
  startedAt = Math.floor(Date.now() / 1000) - 5;
  const metricsPort = await freePort();
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      notifications.push(JSON.parse(body) as Notification);
      res.end();
    });
  });
  await new Promise<void>((r) => webhook?.listen(0, '127.0.0.1', r));
  const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
  // Rejects with a BackendUnavailableError naming the backend and why when a binary cannot be built or installed.
  // Test-only: a series of a stopped app leaves the collector's exposition after 20 s instead of 5 minutes, so the
  // collector-path ServiceDown alert can fire within the test.
  stack = await startStack({ appTargets: [`127.0.0.1:${metricsPort}`], alertWebhookUrl: webhookUrl, metricExpiration: '20s' });
  // The bank on real servers: its events in PostgreSQL, its account reads through a Redis cache (the db pack).
  postgres = await startPostgres();
  redis = await startRedis();
  bank = await startBank({
    metricsPort,
    env: {
      DATABASE_URL: await postgres.createDatabase('bank_e2e'),
      REDIS_URL: redis.url,
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: stack.urls.otlpGrpc,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${stack.urls.otlpHttp}/v1/traces`,
      ...E2E_BANK_ENV,
    },
  });
}, 1_800_000);

afterAll(async () => {
  await bank?.stop();
  await stack?.stop();
  await redis?.stop();
  await postgres?.stop();
  await new Promise((r) => webhook?.close(r));
  console.log(`e2e figures: ${JSON.stringify(figures)}`);
});

describe('1. metrics on both paths', () => {
  let report: LoadReport;

  it('counts exactly the commands sent, on the collector path and on the pull path', async () => {
    report = await load({ rate: 25, duration: 10, errorShare: 0.2, accounts: 6 });
    expect(report.mismatches, `every command ended as the load expected: ${JSON.stringify(report.unexpected)}`).toBe(0);
    for (const [path, job] of Object.entries(PATHS)) {
      await expect
        .poll(() => promValue(`sum(command_duration_seconds_count{job="${job}"})`), { timeout: 60_000, interval: 1_000, message: `${path} path total` })
        .toBe(report.sent);
      const byTypeOutcome = await stack.promQuery(`sum by (command_type, command_outcome) (command_duration_seconds_count{job="${job}"})`);
      const counted: Record<string, Record<string, number>> = {};
      for (const s of byTypeOutcome) {
        const type = s.metric.command_type ?? '';
        (counted[type] ??= {})[s.metric.command_outcome ?? ''] = Number(s.value[1]);
      }
      expect(counted, `${path} path by type and outcome`).toEqual(report.expectedByType);
    }
    figures.counts = {
      sent: report.sent,
      byType: report.byType,
      collectorPath: await promValue(`sum(command_duration_seconds_count{job="${COLLECTOR_JOB}"})`),
      pullPath: await promValue(`sum(command_duration_seconds_count{job="${PULL_JOB}"})`),
    };
  });

  it('carries every pack and the runtime metrics on both paths', async () => {
    for (const job of Object.values(PATHS)) {
      for (const metric of [
        'command_duration_seconds_count', 'eventstore_operation_duration_seconds_count', 'eventstore_events_total',
        'projection_events_total', 'circuit_breaker_calls_total', 'circuit_breaker_state', 'http_server_request_duration_seconds_count',
      ]) {
        await expect.poll(() => promValue(`count(${metric}{job="${job}"})`), { timeout: 30_000, message: `${metric} on job ${job}` }).toBeGreaterThan(0);
      }
      expect(await promValue(`count({job="${job}", __name__=~"(nodejs|v8js|process)_.+"})`), `runtime metrics on job ${job}`).toBeGreaterThan(0);
    }
  });

  it('names series and labels the same on both paths (job/instance aside)', async () => {
    // Both paths are cumulative; give the last scrape and export a moment to land before comparing.
    await expect.poll(() => seriesDiff(true), { timeout: 30_000, interval: 2_000 }).toEqual({ onlyCollector: [], onlyPull: [] });
    figures.seriesPerPath = (await seriesOf(stack.urls.prometheus, PULL_JOB, { start: startedAt })).size;
  });

  it('writes bucket bounds the same way on both paths', async () => {
    const { onlyCollector, onlyPull } = await seriesDiff(false);
    const le = (list: string[]): string[] => [...new Set(list.map((s) => /le="([^"]*)"/.exec(s)?.[1] ?? '(no le)'))].sort();
    figures.leOnlyViaCollector = le(onlyCollector);
    figures.leOnlyViaPull = le(onlyPull);
    // Prometheus 3 stores a scraped integer bound as le="1.0" whichever format the target served; a difference here
    // means one path serves bounds another way (Prometheus 2.x kept le="1" and le="1.0" as separate series, so one
    // dashboard query saw two sets of buckets).
    expect({ collector: le(onlyCollector), pull: le(onlyPull) }).toEqual({ collector: [], pull: [] });
  });
});

describe('2. traces in Jaeger', () => {
  it('has the service, command spans, and projection spans linked to the command that caused them', async () => {
    await expect.poll(() => stack.jaegerServices(), { timeout: 60_000, interval: 1_000 }).toContain(SERVICE);
    const traces = await stack.jaegerTraces(SERVICE, { limit: 1_000, lookback: '1h' });
    const spans = new Map<string, JaegerSpan>();
    for (const trace of traces) for (const span of trace.spans) spans.set(span.spanID, span);
    const operations = new Set([...spans.values()].map((s) => s.operationName));
    for (const type of ['OpenAccount', 'Deposit', 'Withdraw', 'Transfer']) expect(operations).toContain(`command ${type}`);

    const fetchTrace = async (traceID: string): Promise<void> => {
      const body = await getJson<{ data: JaegerTrace[] }>(`${stack.urls.jaegerQuery}/api/traces/${traceID}`);
      for (const trace of body.data) for (const span of trace.spans) spans.set(span.spanID, span);
    };
    const commandAncestor = async (spanID: string, traceID: string): Promise<JaegerSpan | undefined> => {
      if (!spans.has(spanID)) await fetchTrace(traceID);
      let span = spans.get(spanID);
      for (let depth = 0; span !== undefined && depth < 20; depth++) {
        if (span.operationName.startsWith('command ')) return span;
        const parent = span.references.find((r) => r.refType === 'CHILD_OF');
        span = parent === undefined ? undefined : spans.get(parent.spanID);
      }
      return undefined;
    };
    const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;
    const linked: Record<string, number> = {};
    for (const span of [...spans.values()]) {
      if (tag(span, 'span.kind') !== 'consumer') continue;
      const projection = String(tag(span, 'projection.name') ?? span.operationName);
      for (const ref of span.references.filter((r) => r.refType === 'FOLLOWS_FROM')) {
        if ((await commandAncestor(ref.spanID, ref.traceID)) !== undefined) linked[projection] = (linked[projection] ?? 0) + 1;
      }
    }
    figures.projectionSpansLinkedToCommands = linked;
    expect(linked.balance ?? 0, 'balance projection spans linked to a command span').toBeGreaterThan(0);
    expect(linked.statement ?? 0, 'statement projection spans linked to a command span').toBeGreaterThan(0);
  });
});

describe('3. span metrics', () => {
  it('turns the bank spans into RED series in Prometheus', async () => {
    await expect
      .poll(() => promValue(`sum(traces_span_metrics_calls_total{service_name="${SERVICE}", span_name=~"command .+"})`), { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(await promValue(`count(traces_span_metrics_duration_seconds_bucket{service_name="${SERVICE}"})`)).toBeGreaterThan(0);
  });
});

// The alert scenario runs before the dashboard check on purpose: forcing the breaker open gives the state, rejection
// and failure panels real data to show.
describe('5. alert rules', () => {
  let promtool: string;

  beforeAll(async () => {
    ({ promtool } = await ensurePrometheus());
  });

  it('passes promtool check rules and promtool test rules', async () => {
    const rulesDir = join(repoRoot, 'collector', 'prometheus', 'rules');
    const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.rules.yml')).map((f) => join(rulesDir, f));
    const testFiles = readdirSync(join(rulesDir, 'tests')).filter((f) => f.endsWith('.yml')).map((f) => join(rulesDir, 'tests', f));
    expect(ruleFiles.length).toBeGreaterThanOrEqual(5);
    await run(promtool, ['check', 'rules', ...ruleFiles]);
    await run(promtool, ['test', 'rules', ...testFiles], { cwd: join(rulesDir, 'tests') });
  });

  it('fires the breaker alert when the fraud service is forced down, and Alertmanager receives it', async () => {
    await loadTestRules(stack, promtool, { madeBy: 'test/e2e/bank.test.ts' });
    await expect.poll(async () => {
      const body = await getJson<{ data: { groups: { rules: { name: string; duration: number }[] }[] } }>(`${stack.urls.prometheus}/api/v1/rules`);
      return body.data.groups.flatMap((g) => g.rules).find((r) => r.name === 'OtelkitCircuitBreakerOpen')?.duration;
    }, { timeout: 30_000 }).toBe(10);

    expect(await post('/admin/fraud-check', { down: true })).toMatchObject({ status: 200, body: { down: true } });
    try {
      // Transfers keep succeeding (small ones pass unchecked) while the breaker opens and stays open.
      const transfers = await load({ rate: 10, duration: 6, errorShare: 0, accounts: 2, types: 'Transfer' });
      expect(transfers.mismatches, JSON.stringify(transfers.unexpected)).toBe(0);
      // Above the fail-open limit an unchecked transfer fails: the commands dashboard's failure series gets data.
      const [from, to] = transfers.accounts;
      for (let i = 0; i < 3; i++) {
        expect(await post('/transfers', { from, to, amount: 60_000 })).toMatchObject({ status: 503 });
        commandsSent++;
      }
      const firing = async (): Promise<string[]> => {
        const body = await getJson<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>(`${stack.urls.prometheus}/api/v1/alerts`);
        return body.data.alerts
          .filter((a) => a.labels.alertname === 'OtelkitCircuitBreakerOpen' && a.labels.circuit_breaker_name === 'fraud-check' && a.state === 'firing')
          .map((a) => a.labels.job ?? '');
      };
      await expect.poll(firing, { timeout: 90_000, interval: 2_000 }).toEqual(expect.arrayContaining([COLLECTOR_JOB, PULL_JOB]));
      await expect.poll(async () => {
        const alerts = await getJson<{ labels: Record<string, string> }[]>(`${stack.urls.alertmanager}/api/v2/alerts`);
        return alerts.some((a) => a.labels.alertname === 'OtelkitCircuitBreakerOpen' && a.labels.circuit_breaker_name === 'fraud-check');
      }, { timeout: 60_000, interval: 2_000 }).toBe(true);
      figures.breakerAlert = { firingOn: await firing(), reachedAlertmanager: true, testOnlyFor: TEST_RULE_FOR };
    } finally {
      await post('/admin/fraud-check', { down: false });
    }
  });
});

describe('4. dashboards', () => {
  it('answers every panel query of every generated dashboard with at least one series, on each path', async () => {
    // Concurrent transfers from one account: some re-run after a conflict, so command.retries has data too.
    const a = (await post('/accounts', { owner: 'race-a' })).body.accountId as string;
    const b = (await post('/accounts', { owner: 'race-b' })).body.accountId as string;
    await post(`/accounts/${a}/deposits`, { amount: 100_000 });
    await Promise.all(Array.from({ length: 8 }, () => post('/transfers', { from: a, to: b, amount: 10 })));
    commandsSent += 3 + 8;
    // Account reads go through the Redis cache: a miss, then hits (the cache panels of the database dashboard).
    for (let i = 0; i < 3; i++) expect((await fetch(`${bank.url}/accounts/${a}`)).status).toBe(200);
    await load({ rate: 20, duration: 8, errorShare: 0.2, accounts: 4 });

    // The top-level dashboards: the packs', the service's, its SLOs' and the pipeline's (the server dashboards in
    // servers/ need the server receivers: test/e2e/servers.test.ts).
    const dir = join(repoRoot, 'collector', 'grafana', 'dashboards');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['service.json', 'slo.json', 'pipeline.json', 'db.json']));
    const { empty, queries } = await emptyQueriesOfDashboards(stack, dir, files, { since: startedAt, jobs: Object.values(PATHS) });
    figures.dashboardQueries = queries;
    expect(empty).toEqual([]);
  });
});

describe('6. collector outage', () => {
  it('keeps the bank serving, quiet and bounded while the collector is down for 30 s; data flows again after', async () => {
    const rss: { phase: string; bytes: number }[] = [];
    let phase = 'before';
    const sampler = setInterval(() => {
      const bytes = bank.rss();
      if (bytes !== undefined) rss.push({ phase, bytes });
    }, 250);
    const pullChecks: number[] = [];
    const puller = setInterval(() => {
      void fetch(bank.metricsUrl, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => { pullChecks.push(r.status); return r.body?.cancel(); },
        () => pullChecks.push(0),
      );
    }, 2_000);
    const stderrBefore = bank.stderr().length;
    try {
      const running = load({ rate: 15, duration: 50, errorShare: 0.1, accounts: 4 });
      await new Promise((r) => setTimeout(r, 10_000));
      const collectorCountBefore = await promValue(`sum(command_duration_seconds_count{job="${COLLECTOR_JOB}"})`);
      phase = 'outage';
      await stack.stopCollector();
      const pullDuringOutage = pullChecks.length;
      await new Promise((r) => setTimeout(r, 30_000));
      phase = 'after';
      await stack.startCollector();
      const report = await running;
      const stderr = bank.stderr().slice(stderrBefore).split('\n').filter((l) => l.trim() !== '');
      const max = (p: string): number => Math.max(...rss.filter((s) => s.phase === p).map((s) => s.bytes));
      const mib = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;
      figures.outage = {
        commandsDuringRun: report.sent,
        maxRssBeforeMiB: mib(max('before')),
        maxRssOutageMiB: mib(max('outage')),
        maxRssAfterMiB: mib(max('after')),
        otelkitStderrLines: stderr.length,
        otelkitSaid: stderr.slice(0, 3),
        pullEndpointChecks: pullChecks.length,
        totalCommandsBothPaths: commandsSent,
      };
      expect(report.mismatches, `every request during the outage was answered as expected: ${JSON.stringify(report.unexpected)}`).toBe(0);
      expect(Object.values(report.observedByType).reduce((n, o) => n + (o.failure ?? 0), 0)).toBe(0);
      expect(pullChecks.slice(pullDuringOutage).length).toBeGreaterThan(5);
      expect(pullChecks.every((s) => s === 200), `pull endpoint answers: ${JSON.stringify(pullChecks)}`).toBe(true);

      // New data arrives over OTLP after the restart: the collector path catches up with the pull path exactly.
      await expect.poll(() => promValue(`sum(command_duration_seconds_count{job="${COLLECTOR_JOB}"})`), { timeout: 60_000 }).toBe(commandsSent);
      await expect.poll(() => promValue(`sum(command_duration_seconds_count{job="${PULL_JOB}"})`), { timeout: 30_000 }).toBe(commandsSent);
      expect(commandsSent).toBeGreaterThan(collectorCountBefore);

      expect(bank.exited(), 'the bank is still running').toBeUndefined();
      expect(stderr.filter((l) => !l.startsWith('otelkit:')), 'only otelkit lines on stderr').toEqual([]);
      expect(stderr.length, `otelkit lines during the outage: ${JSON.stringify(stderr)}`).toBeLessThanOrEqual(10);

      // Bounded: the heap grows with the in-memory store under load whatever the collector does (compare the
      // "after" figure), and the outage may buffer some telemetry, but nothing like unbounded growth.
      expect(max('outage')).toBeLessThan(max('before') + 128 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
      clearInterval(puller);
    }
  });
});

describe('7. error budget burn', () => {
  it('fires the fast burn-rate alert when transfers fail, on both paths, and delivers it to the webhook', async () => {
    const { promtool } = await ensurePrometheus();
    await loadTestRules(stack, promtool, {
      madeBy: 'test/e2e/bank.test.ts',
      also: `SLO error ratio windows shortened to ${JSON.stringify(TEST_SLO_WINDOWS)} (record names kept)`,
      rewrite: (rule) => {
        if (rule.record?.startsWith('otelkit:slo_error_ratio:')) rule.expr = rule.expr.replace(/\[(\w+)\]/g, (all, w: string) => `[${TEST_SLO_WINDOWS[w] ?? w}]`);
      },
    });
    const match = { slo: 'commands-availability', command_type: 'Transfer' };
    const a = (await post('/accounts', { owner: 'burn-a' })).body.accountId as string;
    const b = (await post('/accounts', { owner: 'burn-b' })).body.accountId as string;
    expect(await post(`/accounts/${a}/deposits`, { amount: 10_000_000 })).toMatchObject({ status: 200 });
    commandsSent += 3;
    expect(await post('/admin/fraud-check', { down: true })).toMatchObject({ status: 200, body: { down: true } });
    try {
      // With the fraud service down, a funded transfer above the fail-open limit fails: every one burns the budget.
      // The budget keeps burning until Alertmanager has delivered the alert for both jobs: the group (alertname, job)
      // may already exist — the http-availability burn of the 503s in "5. alert rules" — and then the new alert goes
      // out with the group's next notification, group_interval (1 m) later; an alert that stopped burning by then
      // would arrive as resolved.
      const burnStarted = Date.now();
      const deadline = burnStarted + 180_000;
      const firingOn = new Set<string>();
      let failed = 0;
      while (Date.now() < deadline && !(delivered('OtelkitErrorBudgetBurnFast', match).includes(COLLECTOR_JOB) && delivered('OtelkitErrorBudgetBurnFast', match).includes(PULL_JOB))) {
        for (let i = 0; i < 5; i++) {
          expect(await post('/transfers', { from: a, to: b, amount: 60_000 })).toMatchObject({ status: 503 });
          commandsSent++;
          failed++;
        }
        for (const job of await promAlerts('OtelkitErrorBudgetBurnFast', match)) firingOn.add(job);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      expect([...firingOn]).toEqual(expect.arrayContaining([COLLECTOR_JOB, PULL_JOB]));
      await expectDelivered('OtelkitErrorBudgetBurnFast', [COLLECTOR_JOB, PULL_JOB], match, 1_000);
      figures.burnFast = { failedTransfers: failed, firingOn: [...firingOn], secondsToDelivered: Math.round((Date.now() - burnStarted) / 1000), testOnlyWindows: TEST_SLO_WINDOWS };
    } finally {
      await post('/admin/fraud-check', { down: false });
    }
  });
});

// Last: it stops the bank.
describe('8. instance down', () => {
  it('fires the instance-down alert of each path when the bank is killed, and delivers both to the webhook', async () => {
    const killedAt = Date.now();
    expect((await bank.kill()).signal).toBe('SIGKILL');
    // Pull path: the scrape fails (up == 0). Collector path: the service's process_uptime_seconds leaves the
    // collector's exposition once metric_expiration (20 s here) has passed.
    await expect.poll(() => promAlerts('OtelkitInstanceDown'), { timeout: 60_000, interval: 1_000 }).toContain(PULL_JOB);
    await expect.poll(() => promAlerts('OtelkitServiceDown'), { timeout: 90_000, interval: 1_000 }).toContain(COLLECTOR_JOB);
    await expectDelivered('OtelkitInstanceDown', [PULL_JOB]);
    await expectDelivered('OtelkitServiceDown', [COLLECTOR_JOB]);
    figures.instanceDown = { secondsToBothDelivered: Math.round((Date.now() - killedAt) / 1000), notifications: notifications.length };
  });
});
