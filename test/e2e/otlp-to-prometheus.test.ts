// The third metric path: examples/bank pushing its metrics over OTLP/HTTP (protobuf, cumulative) straight to
// Prometheus 3's OTLP receiver, no collector in between, while Prometheus also scrapes its pull endpoint as job
// "app". test/e2e/bank.test.ts holds the pull path to the collector path; this file holds the pushed series to the
// pulled ones: the same counts, the same series once bucket bounds are compared as numbers, the one spelling that
// differs, and every dashboard query answering on the pushed series wherever it answers on the pulled ones.
//
// One process cannot show all three paths in one Prometheus: the pushed series and those the collector exports both
// take job and instance from service.name and service.instance.id, so they would be the same series from two writers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_BANK_ENV, freePort, runLoad, startBank, type BankProcess, type LoadReport } from '../../examples/bank/test/run-bank.ts';
import { substitute } from '../support/dashboards.ts';
import { commandCountsByTypeAndOutcome, dashboardPanelQueries, seriesOf } from '../support/prometheus-paths.ts';
import { startStack, type Stack } from '../support/stack.ts';

const SERVICE = 'bank-otlp';
/** Series pushed over OTLP take their job from service.name, as on the collector path. */
const PUSH_JOB = SERVICE;
const PULL_JOB = 'app';
const PATHS = { push: PUSH_JOB, pull: PULL_JOB } as const;

let stack: Stack;
let bank: BankProcess;
let startedAt = 0;
let commandsSent = 0;
const figures: Record<string, unknown> = {};

async function promValue(expr: string): Promise<number> {
  const result = await stack.promQuery(expr);
  return result.length === 0 ? 0 : Number(result[0]?.value[1]);
}

async function load(options: Parameters<typeof runLoad>[1]): Promise<LoadReport> {
  const report = await runLoad(bank.url, options);
  commandsSent += report.sent;
  return report;
}

async function post(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${bank.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.body?.cancel();
  return res.status;
}

async function seriesDiff(normalizeLe: boolean): Promise<{ onlyPushed: string[]; onlyPulled: string[] }> {
  const [pushed, pulled] = await Promise.all([PUSH_JOB, PULL_JOB].map((job) => seriesOf(stack.urls.prometheus, job, { start: startedAt, normalizeLe })));
  return { onlyPushed: [...(pushed ?? [])].filter((s) => !pulled?.has(s)), onlyPulled: [...(pulled ?? [])].filter((s) => !pushed?.has(s)) };
}

beforeAll(async () => {
  startedAt = Math.floor(Date.now() / 1000) - 5;
  const metricsPort = await freePort();
  stack = await startStack({ appTargets: [`127.0.0.1:${metricsPort}`], alertmanager: false });
  bank = await startBank({
    metricsPort,
    env: {
      OTEL_SERVICE_NAME: SERVICE,
      // What a user sets to skip the collector for metrics: the receiver takes OTLP/HTTP, and otelkit exports
      // cumulative sums, which is what it stores.
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: stack.urls.prometheusOtlp,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${stack.urls.otlpHttp}/v1/traces`,
      ...E2E_BANK_ENV,
    },
  });
}, 1_800_000);

afterAll(async () => {
  await bank?.stop();
  await stack?.stop();
  console.log(`e2e figures (OTLP to Prometheus): ${JSON.stringify(figures)}`);
});

describe('OTLP pushed straight to Prometheus, beside the pull endpoint', () => {
  it('counts exactly the commands sent, pushed and pulled', async () => {
    const report = await load({ rate: 25, duration: 10, errorShare: 0.2, accounts: 6 });
    expect(report.mismatches, 'every command ended as the load expected').toBe(0);
    for (const [path, job] of Object.entries(PATHS)) {
      await expect
        .poll(() => promValue(`sum(command_duration_seconds_count{job="${job}"})`), { timeout: 60_000, interval: 1_000, message: `${path} path total` })
        .toBe(report.sent);
      expect(await commandCountsByTypeAndOutcome(stack.urls.prometheus, job), `${path} path by type and outcome`).toEqual(report.expectedByType);
    }
    figures.counts = { sent: report.sent, pushed: await promValue(`sum(command_duration_seconds_count{job="${PUSH_JOB}"})`) };
  });

  it('names series and labels the same on both paths once bucket bounds are compared as numbers', async () => {
    await expect.poll(() => seriesDiff(true), { timeout: 30_000, interval: 2_000 }).toEqual({ onlyPushed: [], onlyPulled: [] });
    figures.seriesPerPath = (await seriesOf(stack.urls.prometheus, PUSH_JOB, { start: startedAt })).size;
  });

  it('spells integer bucket bounds differently: le="1" pushed, le="1.0" pulled', async () => {
    // Prometheus 3 rewrites the `le` of a scraped classic histogram as an OpenMetrics float; its OTLP receiver
    // writes the bound as the shortest decimal. Non-integer bounds read the same either way. A query that picks one
    // integer bound must match both spellings (le=~"1(\\.0)?"); aggregations by le within one path are unaffected.
    const { onlyPushed, onlyPulled } = await seriesDiff(false);
    const le = (s: string): string => /le="([^"]*)"/.exec(s)?.[1] ?? '(no le)';
    figures.lePushed = [...new Set(onlyPushed.map(le))].sort((a, b) => Number(a) - Number(b));
    figures.lePulled = [...new Set(onlyPulled.map(le))].sort((a, b) => Number(a) - Number(b));
    expect(onlyPushed.length, 'the bank records histograms with integer bounds').toBeGreaterThan(0);
    expect(onlyPushed.filter((s) => !/le="\d+"/.test(s)), 'only integer bounds differ').toEqual([]);
    expect(onlyPushed.map((s) => s.replace(/le="(\d+)"/, 'le="$1.0"')).sort()).toEqual([...onlyPulled].sort());
  });

  it('answers every dashboard query on the pushed series wherever it answers on the pulled ones', async () => {
    // The bank test's scenario for data on every panel: conflicting transfers (retries), the fraud service forced
    // down (breaker open, fallbacks, failures), then ordinary load.
    const account = async (owner: string): Promise<string> => {
      const res = await fetch(`${bank.url}/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner }) });
      return ((await res.json()) as { accountId: string }).accountId;
    };
    const [a, b] = [await account('race-a'), await account('race-b')];
    await post(`/accounts/${a}/deposits`, { amount: 100_000 });
    await Promise.all(Array.from({ length: 8 }, () => post('/transfers', { from: a, to: b, amount: 10 })));
    commandsSent += 3 + 8;
    expect(await post('/admin/fraud-check', { down: true })).toBe(200);
    try {
      const transfers = await load({ rate: 10, duration: 6, errorShare: 0, accounts: 2, types: 'Transfer' });
      for (let i = 0; i < 3; i++) expect(await post('/transfers', { from: transfers.accounts[0], to: transfers.accounts[1], amount: 60_000 })).toBe(503);
      commandsSent += 3;
    } finally {
      await post('/admin/fraud-check', { down: false });
    }
    await load({ rate: 20, duration: 8, errorShare: 0.2, accounts: 4 });
    for (const job of Object.values(PATHS)) {
      await expect.poll(() => promValue(`sum(command_duration_seconds_count{job="${job}"})`), { timeout: 60_000, message: `${job} caught up` }).toBe(commandsSent);
    }

    const empty: Record<string, string[]> = { push: [], pull: [] };
    const queries = dashboardPanelQueries();
    for (const { dashboard, title, expr } of queries) {
      for (const [path, job] of Object.entries(PATHS)) {
        if ((await stack.promQuery(substitute(expr, { job }))).length === 0) empty[path]?.push(`${dashboard} / ${title}: ${expr}`);
      }
    }
    figures.dashboardQueries = { perPath: queries.length, emptyOnPull: [...new Set(empty.pull?.map((q) => q.slice(0, q.indexOf(':'))))] };
    expect(empty.push).toEqual(empty.pull);
    expect(empty.pull?.length ?? 0, 'most panels have data on the pull path').toBeLessThan(queries.length / 4);
  });
});
