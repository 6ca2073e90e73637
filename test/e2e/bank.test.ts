// End to end: examples/bank under `--import @otelkit/node/register` against the real stack (the Collector built from
// collector/builder-config.yaml, Jaeger v2, Prometheus, Alertmanager; test/support/stack.ts), with bounded load.
// Proves the six claims: exact counts on both metric paths with the same series, causal traces in Jaeger,
// span metrics, every dashboard query answered, the breaker alert firing and reaching Alertmanager, and a 30 s
// collector outage the app does not notice. The figures it measured are printed at the end ("e2e figures").
//
// Test-only override (documented in the report and below): the shipped rules wait `for: 5m`/`10m` before an alert
// fires. Prometheus here loads a generated copy of every shipped rules file with each `for` shortened to 10 s (file
// header says so), via a config reload after the stack started. The shipped files themselves are checked with
// `promtool check rules` and `promtool test rules` unchanged.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ensurePrometheus, repoRoot } from '../../scripts/stack/backends.mjs';
import { freePort, runLoad, startBank, type BankProcess, type LoadReport } from '../../examples/bank/test/run-bank.ts';
import { startStack, type JaegerSpan, type JaegerTrace, type Stack } from '../support/stack.ts';

const SERVICE = 'bank-e2e';
/** Series that arrived over OTLP keep the job the collector derives from service.name (honor_labels). */
const COLLECTOR_JOB = SERVICE;
/** Series scraped from the bank's own pull endpoint. */
const PULL_JOB = 'app';
const PATHS = { collector: COLLECTOR_JOB, pull: PULL_JOB } as const;
const TEST_RULE_FOR = '10s';

const run = promisify(execFile);
let stack: Stack;
let bank: BankProcess;
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

/**
 * Series (label sets) of a job since the test started, with job/instance labels removed. With `normalizeLe`, bucket
 * bounds are compared as numbers (`le="1"` and `le="1.0"` are the same bound, but Prometheus 2.x stores them as two
 * series: the text format writes the first, OpenMetrics the second).
 */
async function seriesOf(job: string, normalizeLe = false): Promise<Set<string>> {
  const q = new URLSearchParams({ 'match[]': `{job="${job}"}`, start: String(startedAt) });
  const body = await getJson<{ data: Record<string, string>[] }>(`${stack.urls.prometheus}/api/v1/series?${q.toString()}`);
  const out = new Set<string>();
  for (const labels of body.data) {
    const name = labels.__name__ ?? '';
    // Prometheus' own per-scrape series, its alert-state series (an alert may be pending for one job before the
    // other), and span metrics the collector makes from traces, exist on one path only.
    if (name === 'up' || name.startsWith('scrape_') || name.startsWith('traces_span_metrics_')) continue;
    if (name === 'ALERTS' || name === 'ALERTS_FOR_STATE') continue;
    const rest = Object.entries(labels)
      .filter(([k]) => !['__name__', 'job', 'instance', 'exported_job', 'exported_instance'].includes(k))
      .map(([k, v]): [string, string] => [k, normalizeLe && k === 'le' ? String(Number(v)) : v])
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    out.add(`${name}{${rest.join(',')}}`);
  }
  return out;
}

async function seriesDiff(normalizeLe: boolean): Promise<{ onlyCollector: string[]; onlyPull: string[] }> {
  const [viaCollector, viaPull] = await Promise.all([seriesOf(COLLECTOR_JOB, normalizeLe), seriesOf(PULL_JOB, normalizeLe)]);
  return { onlyCollector: [...viaCollector].filter((s) => !viaPull.has(s)), onlyPull: [...viaPull].filter((s) => !viaCollector.has(s)) };
}

beforeAll(async () => {
  startedAt = Math.floor(Date.now() / 1000) - 5;
  const metricsPort = await freePort();
  // Rejects with a BackendUnavailableError naming the backend and why when a binary cannot be built or installed.
  stack = await startStack({ appTargets: [`127.0.0.1:${metricsPort}`] });
  bank = await startBank({
    metricsPort,
    env: {
      OTEL_SERVICE_NAME: SERVICE,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: stack.urls.otlpGrpc,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${stack.urls.otlpHttp}/v1/traces`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      FRAUD_FAILURE_SHARE: '0.02',
      NOTIFY_FAILURE_SHARE: '0.05',
      BREAKER_RESET_MS: '5000',
    },
  });
}, 1_800_000);

afterAll(async () => {
  await bank?.stop();
  await stack?.stop();
  console.log(`e2e figures: ${JSON.stringify(figures)}`);
});

describe('1. metrics on both paths', () => {
  let report: LoadReport;

  it('counts exactly the commands sent, on the collector path and on the pull path', async () => {
    report = await load({ rate: 25, duration: 10, errorShare: 0.2, accounts: 6 });
    expect(report.mismatches, 'every command ended as the load expected').toBe(0);
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
    figures.seriesPerPath = (await seriesOf(PULL_JOB)).size;
  });

  it('writes bucket bounds the same way on both paths', async () => {
    const { onlyCollector, onlyPull } = await seriesDiff(false);
    const le = (list: string[]): string[] => [...new Set(list.map((s) => /le="([^"]*)"/.exec(s)?.[1] ?? '(no le)'))].sort();
    figures.leOnlyViaCollector = le(onlyCollector);
    figures.leOnlyViaPull = le(onlyPull);
    // When this fails with le="1" vs le="1.0": the collector's prometheus exporter serves the text format
    // (enable_open_metrics: false) while the pull endpoint answers Prometheus' Accept header with OpenMetrics;
    // Prometheus 2.x keeps both spellings as separate series, so one dashboard query sees two sets of buckets.
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
    // Test-only copy of every shipped rules file with `for` shortened, loaded by a config reload.
    const rulesDir = join(repoRoot, 'collector', 'prometheus', 'rules');
    const overrideDir = join(stack.stateDir, 'rules-e2e');
    mkdirSync(overrideDir, { recursive: true });
    for (const file of readdirSync(rulesDir).filter((f) => f.endsWith('.rules.yml'))) {
      const doc = parseYaml(readFileSync(join(rulesDir, file), 'utf8')) as { groups: { rules: { for?: string }[] }[] };
      for (const group of doc.groups) for (const rule of group.rules) if (rule.for !== undefined && rule.for !== '0m' && rule.for !== '0s') rule.for = TEST_RULE_FOR;
      writeFileSync(join(overrideDir, file), `# TEST-ONLY copy of collector/prometheus/rules/${file} made by test/e2e/bank.test.ts: every 'for' shortened to ${TEST_RULE_FOR}.\n${stringifyYaml(doc)}`);
    }
    await run(promtool, ['check', 'rules', ...readdirSync(overrideDir).map((f) => join(overrideDir, f))]);
    const configFile = join(stack.stateDir, 'prometheus', 'prometheus.yml');
    const config = parseYaml(readFileSync(configFile, 'utf8')) as { rule_files?: string[] };
    config.rule_files = [join(overrideDir, '*.rules.yml')];
    writeFileSync(configFile, stringifyYaml(config));
    await fetch(`${stack.urls.prometheus}/-/reload`, { method: 'POST' }).then((r) => expect(r.status).toBe(200));
    await expect.poll(async () => {
      const body = await getJson<{ data: { groups: { rules: { name: string; duration: number }[] }[] } }>(`${stack.urls.prometheus}/api/v1/rules`);
      return body.data.groups.flatMap((g) => g.rules).find((r) => r.name === 'OtelkitCircuitBreakerOpen')?.duration;
    }, { timeout: 30_000 }).toBe(10);

    expect(await post('/admin/fraud-check', { down: true })).toMatchObject({ status: 200, body: { down: true } });
    try {
      // Transfers keep succeeding (small ones pass unchecked) while the breaker opens and stays open.
      const transfers = await load({ rate: 10, duration: 6, errorShare: 0, accounts: 2, types: 'Transfer' });
      expect(transfers.mismatches).toBe(0);
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
    await load({ rate: 20, duration: 8, errorShare: 0.2, accounts: 4 });

    const dir = join(repoRoot, 'collector', 'grafana', 'dashboards');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const empty: string[] = [];
    let queries = 0;
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels?: Panel[]; templating?: { list?: Variable[] } };
      // Every query variable's dropdown has values (label_values(metric{selector}, label), as Grafana asks it).
      for (const variable of dashboard.templating?.list ?? []) {
        if (variable.type !== 'query') continue;
        const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
        const match = /^label_values\((.+),\s*(\w+)\)$/.exec(text.trim());
        if (match === null) {
          empty.push(`${file} / variable ${variable.name}: unsupported query ${text}`);
          continue;
        }
        const q = new URLSearchParams({ 'match[]': substitute(match[1] ?? '', {}), start: String(startedAt) });
        const values = await getJson<{ data: string[] }>(`${stack.urls.prometheus}/api/v1/label/${match[2] ?? ''}/values?${q.toString()}`);
        queries++;
        if (values.data.length === 0) empty.push(`${file} / variable ${variable.name}: no values for ${text}`);
      }
      for (const { title, expr } of panelQueries(dashboard.panels ?? [])) {
        for (const job of Object.values(PATHS)) {
          const query = substitute(expr, { job });
          queries++;
          const result = await stack.promQuery(query);
          if (result.length === 0) empty.push(`${file} / ${title} (job ${job}): ${query}`);
        }
      }
    }
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
      expect(report.mismatches, 'every request during the outage was answered as expected').toBe(0);
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

interface Variable {
  name?: string;
  type?: string;
  query?: string | { query?: string };
}

interface Panel {
  title?: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
}

function panelQueries(panels: readonly Panel[]): { title: string; expr: string }[] {
  return panels.flatMap((p) => [
    ...(p.targets ?? []).filter((t) => typeof t.expr === 'string' && t.expr !== '').map((t) => ({ title: p.title ?? '(untitled)', expr: t.expr ?? '' })),
    ...panelQueries(p.panels ?? []),
  ]);
}

/** Grafana's macros and template variables as Grafana would expand them; unknown variables match everything. */
function substitute(expr: string, values: Record<string, string>): string {
  const macros: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m', __range_s: '300', __interval_ms: '15000' };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (_m, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return macros[name] ?? values[name] ?? '.*';
  });
}
