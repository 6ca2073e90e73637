// End to end, the scale topology (`pnpm stack:up --topology scale`) with the real binaries on loopback: two agents
// (collector/agent.yaml) in front of two gateways (collector/gateway.yaml), Jaeger, and Prometheus as the
// remote-write store. Two bank instances, each sending to its own agent, under the bank's load generator.
// Proves: no trace is split (every kept trace is whole, and decided by one gateway); tail sampling keeps every error
// trace and every slow trace and about the configured share of the rest; span-metric call counts equal the commands
// sent, whatever was sampled; the store holds both instances' command counts exactly; with one gateway killed
// mid-load the agents route to the survivor, and what is lost is bounded and visible. The figures it measured are
// printed at the end ("scale figures").
//
// Test-only settings: span metrics flushed every 2 s, a 20 % share of the rest,
// the fraud check answering after 700 ms (every transfer is slower than the 500 ms threshold), no random failures
// of the fake fraud and notification services (so an error trace is exactly a command that ended in conflict).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, runLoad, startBank, sumOf, type BankProcess, type LoadReport } from '../../examples/bank/test/run-bank.ts';
import { startStack, type RunningStack } from '../../scripts/stack/runner.mjs';
import type { ScaleUrls } from '../../scripts/stack/scale.mjs';
import { jaegerTraces, promQuery, type JaegerTrace } from '../support/stack.ts';

const SERVICE = 'bank-scale';
const SHARE = 0.2;
const LATENCY_THRESHOLD_MS = 500;
/** gateway.yaml's default: spans of a trace arrive over a few seconds (app batches, agent batches, reloads). */
const DECISION_WAIT_S = 10;
/** Enough accounts that a transfer, waiting 700 ms for the fraud check, rarely finds its account changed four times. */
const ACCOUNTS = 150;

let stack: RunningStack;
let urls: ScaleUrls & { prometheus: string; jaegerQuery: string };
let stateDir: string;
const banks: BankProcess[] = [];
const figures: Record<string, unknown> = {};
/** Commands sent to each bank instance over the whole file. */
const sent = [0, 0];
const expectedByInstance: Record<string, Record<string, number>>[] = [{}, {}];

async function promValue(expr: string): Promise<number> {
  const result = await promQuery(urls.prometheus, expr);
  return result.length === 0 ? 0 : Number(result[0]?.value[1]);
}

/** Load on both banks at once; the reports are added to what each instance was sent. */
async function loadBoth(options: Parameters<typeof runLoad>[1]): Promise<LoadReport[]> {
  const reports = await Promise.all(banks.map((b) => runLoad(b.url, options)));
  reports.forEach((r, i) => {
    sent[i] = (sent[i] ?? 0) + r.sent;
    const table = expectedByInstance[i] ?? {};
    for (const [type, outcomes] of Object.entries(r.expectedByType)) {
      for (const [outcome, n] of Object.entries(outcomes)) (table[type] ??= {})[outcome] = (table[type]?.[outcome] ?? 0) + n;
    }
  });
  return reports;
}

/** A collector's own metrics, scraped directly (the counters of the process as it is now). */
async function selfMetrics(url: string): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text());
}

interface TraceView {
  traceID: string;
  command?: string;
  outcome: string;
  gateways: Set<string>;
  /** Spans whose parent (or the span they follow from, in this trace) is missing. */
  orphans: number;
  roots: number;
  /** Appends of a successful command (their span ids), whose projections link to them. */
  appends: string[];
  /** The appends this trace's projection spans link to. */
  projected: string[];
  startUs: number;
  durationMs: number;
}

function viewOf(trace: JaegerTrace): TraceView {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  // A projection span's parent is the append that produced its event, which it also links to: Jaeger shows that
  // one reference as FOLLOWS_FROM. Any reference inside the trace is the span's place in it.
  const parentOf = (s: JaegerTrace['spans'][number]): string | undefined => s.references.find((r) => r.traceID === trace.traceID)?.spanID;
  const tag = (tags: { key: string; value: unknown }[], key: string): unknown => tags.find((t) => t.key === key)?.value;
  const command = trace.spans.find((s) => s.operationName.startsWith('command '));
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const end = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
  return {
    traceID: trace.traceID,
    ...(command === undefined ? {} : { command: command.operationName.slice('command '.length) }),
    outcome: command === undefined ? 'none' : String(tag(command.tags, 'command.outcome') ?? 'success'),
    gateways: new Set(trace.spans.map((s) => String(tag(trace.processes[s.processID]?.tags ?? [], 'otelkit.gateway')))),
    orphans: trace.spans.filter((s) => parentOf(s) !== undefined && !ids.has(parentOf(s) ?? '')).length,
    roots: trace.spans.filter((s) => parentOf(s) === undefined).length,
    appends: command !== undefined && tag(command.tags, 'command.outcome') === undefined
      ? trace.spans.filter((s) => s.operationName === 'eventstore append').map((s) => s.spanID)
      : [],
    projected: trace.spans.filter((s) => s.operationName === 'projection balance').flatMap((s) => s.references.filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => r.spanID)),
    startUs: start,
    durationMs: (end - start) / 1000,
  };
}

/** Kept traces by command and outcome, to say what a failed count was made of. */
async function breakdown(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await keptTraces()) out[`${t.command ?? '(none)'} ${t.outcome}`] = (out[`${t.command ?? '(none)'} ${t.outcome}`] ?? 0) + 1;
  return out;
}

async function keptTraces(): Promise<TraceView[]> {
  return (await jaegerTraces(urls.jaegerQuery, SERVICE, { limit: 20_000, lookback: '1h' })).map(viewOf);
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'otelkit-scale-'));
  stack = await startStack({
    stateDir,
    topology: 'scale',
    ports: 'random',
    appTargets: [],
    alertmanager: false,
    scrapeInterval: '2s',
    collectorEnv: { OTELKIT_SPANMETRICS_FLUSH_INTERVAL: '2s' },
    gatewayEnv: {
      OTELKIT_TAIL_DECISION_WAIT: `${DECISION_WAIT_S}s`,
      OTELKIT_TAIL_SAMPLING_PERCENTAGE: String(SHARE * 100),
      OTELKIT_TAIL_LATENCY_THRESHOLD_MS: String(LATENCY_THRESHOLD_MS),
    },
  });
  urls = stack.urls as unknown as typeof urls;
  for (const [i, agent] of urls.agents.entries()) {
    banks.push(await startBank({
      env: {
        OTEL_SERVICE_NAME: SERVICE,
        OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=bank-${i + 1}`,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: agent.otlpGrpc,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${agent.otlpHttp}/v1/traces`,
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        OTEL_BSP_SCHEDULE_DELAY: '500',
        FRAUD_FAILURE_SHARE: '0',
        NOTIFY_FAILURE_SHARE: '0',
        FRAUD_LATENCY_MS: '700',
      },
    }));
  }
}, 1_800_000);

afterAll(async () => {
  for (const bank of banks) await bank.stop();
  await stack?.stop();
  if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  console.log(`scale figures: ${JSON.stringify(figures)}`);
});

describe('1. both gateways under steady load', () => {
  let reports: LoadReport[];
  let traces: TraceView[];

  it('counts exactly the commands each instance was sent, in the central store', async () => {
    const before = await Promise.all(urls.gateways.map((g) => selfMetrics(g.collectorMetrics)));
    const startedAt = performance.now();
    reports = await loadBoth({ rate: 25, duration: 20, errorShare: 0.2, accounts: ACCOUNTS });
    const seconds = (performance.now() - startedAt) / 1000;
    for (const r of reports) expect(r.mismatches, 'every command ended as the load expected').toBe(0);
    for (const [i, r] of reports.entries()) {
      const instance = `bank-${i + 1}`;
      await expect
        .poll(() => promValue(`sum(command_duration_seconds_count{job="${SERVICE}", instance="${instance}"})`), { timeout: 60_000, interval: 1_000, message: instance })
        .toBe(r.sent);
      const byTypeOutcome = await promQuery(urls.prometheus, `sum by (command_type, command_outcome) (command_duration_seconds_count{job="${SERVICE}", instance="${instance}"})`);
      const counted: Record<string, Record<string, number>> = {};
      for (const s of byTypeOutcome) (counted[s.metric.command_type ?? ''] ??= {})[s.metric.command_outcome ?? ''] = Number(s.value[1]);
      expect(counted, `${instance} by type and outcome`).toEqual(expectedByInstance[i]);
    }
    // Each gateway's throughput while both ran: spans accepted per second and per second of CPU.
    const after = await Promise.all(urls.gateways.map((g) => selfMetrics(g.collectorMetrics)));
    figures.steady = {
      commandsPerInstance: reports.map((r) => r.sent),
      loadSeconds: Math.round(seconds),
      gateways: urls.gateways.map((g, i) => {
        const d = (name: string, where: Record<string, string> = {}): number => sumOf(after[i] ?? [], name, where) - sumOf(before[i] ?? [], name, where);
        const spans = d('otelcol_receiver_accepted_spans');
        const cpu = d('otelcol_process_cpu_seconds');
        return {
          name: g.name,
          spans,
          spansPerSecond: Math.round(spans / seconds),
          spansPerCpuSecond: cpu > 0 ? Math.round(spans / cpu) : null,
          spanMetricPointsSent: d('otelcol_exporter_sent_metric_points'),
          rssMiB: Math.round(sumOf(after[i] ?? [], 'otelcol_process_memory_rss') / 1048576),
        };
      }),
    };
  });

  it('derives span-metric call counts equal to the commands sent, from every span before sampling', async () => {
    const total = (sent[0] ?? 0) + (sent[1] ?? 0);
    const expr = `sum(traces_span_metrics_calls_total{service_name="${SERVICE}", span_name=~"command .+"})`;
    await expect.poll(() => promValue(expr), { timeout: 60_000, interval: 1_000 }).toBe(total);
    const byGateway = await promQuery(urls.prometheus, `sum by (otelkit_gateway) (traces_span_metrics_calls_total{service_name="${SERVICE}", span_name=~"command .+"})`);
    const split = Object.fromEntries(byGateway.map((s) => [s.metric.otelkit_gateway ?? '', Number(s.value[1])]));
    expect(Object.keys(split).sort(), 'both gateways computed span metrics').toEqual(['gateway-1', 'gateway-2']);
    figures.spanMetrics = { commandsSent: total, commandCalls: await promValue(expr), byGateway: split };
  });

  it('keeps whole traces, each decided by one gateway', async () => {
    // Decisions are due DECISION_WAIT_S after a trace's first span; then the batch and Jaeger's ingestion.
    const expectedErrors = [0, 1].reduce((n, i) => n + Object.values(expectedByInstance[i] ?? {}).reduce((m, o) => m + (o.conflict ?? 0) + (o.failure ?? 0), 0), 0);
    const errorsKept = async (): Promise<number> => (await keptTraces()).filter((t) => t.outcome === 'conflict' || t.outcome === 'failure').length;
    await expect
      .poll(errorsKept, { timeout: 90_000, interval: 2_000 })
      .toBe(expectedErrors)
      .catch(async (err: Error) => {
        throw new Error(`${err.message}; kept traces by command and outcome: ${JSON.stringify(await breakdown())}`);
      });
    traces = await keptTraces();
    const split = traces.filter((t) => t.gateways.size !== 1);
    expect(split.map((t) => [t.traceID, [...t.gateways]]), 'traces with spans from more than one gateway').toEqual([]);
    const broken = traces.filter((t) => t.orphans > 0 || t.roots !== 1);
    expect(broken.map((t) => t.traceID), 'traces with a missing parent span').toEqual([]);
    // Projections run on the projector's own schedule: a projection span is a child of whichever append started the
    // projector's current pass, and links to the append of its event, which may be in another trace.
    const projected = new Set(traces.flatMap((t) => t.projected));
    const appends = traces.flatMap((t) => t.appends);
    const inTrace = traces.reduce((n, t) => n + t.appends.filter((a) => t.projected.includes(a)).length, 0);
    figures.projections = { appendsOfKeptSuccesses: appends.length, projectedInTheSameTrace: inTrace, projectedInAnyKeptTrace: appends.filter((a) => projected.has(a)).length };
    const successes = traces.filter((t) => t.command !== undefined && t.outcome === 'success');
    expect(successes.length).toBeGreaterThan(100);
    const perGateway: Record<string, number> = {};
    for (const t of traces) for (const g of t.gateways) perGateway[g] = (perGateway[g] ?? 0) + 1;
    expect(Object.keys(perGateway).sort()).toEqual(['gateway-1', 'gateway-2']);
    figures.keptTracesPerGateway = perGateway;
  });

  it('keeps every error trace, every slow trace and about the configured share of the rest', async () => {
    const expected = (type: string, outcome: string): number => [0, 1].reduce((n, i) => n + (expectedByInstance[i]?.[type]?.[outcome] ?? 0), 0);
    const kept = (type: string, outcome: string): number => traces.filter((t) => t.command === type && t.outcome === outcome).length;
    // Errors: commands that ended in a conflict (the only error the load makes with the fake services healthy).
    for (const type of ['Deposit', 'Withdraw']) expect(kept(type, 'conflict'), `${type} conflicts`).toBe(expected(type, 'conflict'));
    // Slow: every transfer waits 700 ms for the fraud check, above the 500 ms threshold.
    expect(kept('Transfer', 'success'), 'transfers').toBe(expected('Transfer', 'success'));
    expect(traces.filter((t) => t.command === 'Transfer').every((t) => t.durationMs >= LATENCY_THRESHOLD_MS)).toBe(true);
    // The rest: successes and rejections that are neither errors nor slow.
    const rest = [['OpenAccount', 'success'], ['Deposit', 'success'], ['Withdraw', 'success'], ['Deposit', 'rejected'], ['Withdraw', 'rejected']] as const;
    const restSent = rest.reduce((n, [t, o]) => n + expected(t, o), 0);
    const restKept = traces.filter((t) => rest.some(([type, outcome]) => t.command === type && t.outcome === outcome) && t.durationMs < LATENCY_THRESHOLD_MS).length;
    const share = restKept / restSent;
    figures.sampling = {
      configuredShare: SHARE,
      errorTraces: { sent: expected('Deposit', 'conflict') + expected('Withdraw', 'conflict'), kept: kept('Deposit', 'conflict') + kept('Withdraw', 'conflict') },
      slowTraces: { sent: expected('Transfer', 'success'), kept: kept('Transfer', 'success') },
      rest: { sent: restSent, kept: restKept, share: Math.round(share * 1000) / 1000 },
    };
    // The probabilistic policy hashes the trace ID: a binomial draw. With several hundred traces the share is within
    // a few points of the configured one; ±0.08 is more than four standard deviations at n = 500.
    expect(restSent).toBeGreaterThan(400);
    expect(share).toBeGreaterThan(SHARE - 0.08);
    expect(share).toBeLessThan(SHARE + 0.08);
  });
});

describe('2. a gateway killed mid-load', () => {
  it('routes to the survivor; what is lost is what the dead gateway held, and bounded', async () => {
    const killAfterMs = 8_000;
    const running = loadBoth({ rate: 25, duration: 24, errorShare: 0.2, accounts: ACCOUNTS });
    await new Promise((r) => setTimeout(r, killAfterMs));
    const killedAtUs = Date.now() * 1000;
    await stack.killService('gateway-2');
    const reports = await running;
    for (const r of reports) expect(r.mismatches, 'the apps never noticed').toBe(0);

    // The discovery saw it and the agents reloaded with gateway-1 only.
    const discovery = (await (await fetch(urls.gatewayDiscovery)).json()) as { members: string[]; changes: { at: string; members: string[]; reloaded: string[] }[] };
    expect(discovery.members).toEqual(['gateway-1']);
    const change = discovery.changes.at(-1);
    expect(change?.reloaded.sort()).toEqual(['agent-1', 'agent-2']);
    const reroutedAtUs = Date.parse(change?.at ?? '') * 1000;

    // Metrics do not pass through the gateways: the store still counts every command exactly.
    for (const [i, n] of sent.entries()) {
      await expect.poll(() => promValue(`sum(command_duration_seconds_count{job="${SERVICE}", instance="bank-${i + 1}"})`), { timeout: 60_000 }).toBe(n);
    }

    // Every error and slow trace that started after the agents had rerouted (plus a margin for their reload) is
    // kept, by gateway-1.
    const afterUs = reroutedAtUs + 3_000_000;
    await new Promise((r) => setTimeout(r, (DECISION_WAIT_S + 5) * 1000));
    const traces = (await keptTraces()).filter((t) => t.startUs >= afterUs);
    expect([...new Set(traces.flatMap((t) => [...t.gateways]))]).toEqual(['gateway-1']);
    expect(traces.filter((t) => t.gateways.size !== 1 || t.orphans > 0 || t.roots !== 1).map((t) => t.traceID)).toEqual([]);

    // What was lost. Must-keep traces (errors and slow ones) of this phase that never reached Jaeger: those gateway-2
    // held undecided when it died, and those whose spans were sent to it before the agents rerouted.
    const mustKeep = (t: TraceView): boolean => t.outcome === 'conflict' || t.command === 'Transfer';
    const phaseStartUs = killedAtUs - killAfterMs * 1000 - 2_000_000;
    const mustKeepSent = reports.reduce((n, r) => n + (r.expectedByType.Transfer?.success ?? 0)
      + Object.values(r.expectedByType).reduce((m, o) => m + (o.conflict ?? 0), 0), 0);
    const mustKeepKept = (await keptTraces()).filter((t) => t.startUs >= phaseStartUs && mustKeep(t)).length;
    // The agents count what they could not send; a reload restarts their counters, which Prometheus' increase()
    // bridges.
    const agentFailed = await promValue(`sum(increase(otelcol_exporter_send_failed_spans{otelkit_collector_role="agent"}[5m]))`);
    figures.gatewayKilled = {
      secondsToReroute: Math.round((reroutedAtUs - killedAtUs) / 100_000) / 10,
      mustKeepTraces: { sent: mustKeepSent, kept: mustKeepKept, lost: mustKeepSent - mustKeepKept },
      agentSendFailedSpans: Math.round(agentFailed),
      spanMetricCommandCalls: await promValue(`sum(traces_span_metrics_calls_total{service_name="${SERVICE}", span_name=~"command .+"})`),
      commandsSent: (sent[0] ?? 0) + (sent[1] ?? 0),
    };
    expect(mustKeepKept).toBeLessThanOrEqual(mustKeepSent);
    // Bounded: the survivor took over, so most must-keep traces of the phase were kept.
    expect(mustKeepKept).toBeGreaterThan(mustKeepSent / 2);
    expect(traces.filter(mustKeep).length).toBeGreaterThan(0);
  });
});
