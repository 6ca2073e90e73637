import { randomUUID } from 'node:crypto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config/resolved.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { PrometheusPullReader } from '../prometheus/pull-reader.js';
import { redactUrl } from '../redact-url.js';
import { lazyMetricExporter, lazySpanExporter } from '../sdk/exporters.js';
import type { CheckResult } from './checks.js';

/** Options of `otelkit doctor --probe`. */
export interface ProbeOptions {
  /** Prometheus base URL. @default 'http://localhost:9090' */
  readonly prometheusUrl: string;
  /** Jaeger query base URL. @default 'http://localhost:16686' */
  readonly jaegerUrl: string;
  /** How long to wait for the probe to become queryable. @default 60000 */
  readonly timeoutMillis: number;
  /** Poll interval. @default 1000 */
  readonly pollMillis?: number;
}

export interface ProbeStep extends CheckResult {
  readonly step: string;
}

/** Result of a probe run; `--json` prints it. */
export interface ProbeReport {
  readonly ok: boolean;
  readonly probeId: string;
  readonly service: string;
  readonly metric: { readonly otel: string; readonly promql: string };
  readonly steps: readonly ProbeStep[];
}

export const PROBE_SERVICE = 'otelkit-doctor';
const PROBE_METRIC = 'otelkit.doctor.probe';
const PROBE_SPAN = 'otelkit doctor probe';
const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };

function exportOutcome(result: ExportResult, what: string, endpoint: string): CheckResult {
  return result.code === ExportResultCode.SUCCESS
    ? { ok: true, detail: `${what} sent to ${endpoint}` }
    : { ok: false, detail: `${what} to ${endpoint} failed: ${result.error === undefined ? 'unknown error' : describeError(result.error)}` };
}

async function sendMetric(config: ResolvedConfig, probeId: string): Promise<CheckResult> {
  const otlp = config.metrics.otlp;
  const resource = resourceFromAttributes({ 'service.name': PROBE_SERVICE, 'service.instance.id': probeId });
  const reader = new PrometheusPullReader({ preventServerStart: true });
  const provider = new MeterProvider({ resource, readers: [reader] });
  provider.getMeter('@otelkit/doctor').createCounter(PROBE_METRIC, { description: 'Probe sent by otelkit doctor --probe.', unit: '{probe}' }).add(1, { 'probe.id': probeId });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const exporter = lazyMetricExporter(otlp, quiet);
  try {
    const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
    return exportOutcome(result, 'probe metric', `${otlp.protocol} ${redactUrl(otlp.endpoint)}`);
  } finally {
    await exporter.shutdown().catch(() => undefined);
  }
}

async function sendSpan(config: ResolvedConfig, probeId: string): Promise<CheckResult> {
  const otlp = config.traces.otlp;
  const inner = lazySpanExporter(otlp, quiet);
  let outcome: ExportResult | undefined;
  // Records the export result, which SimpleSpanProcessor otherwise only logs.
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
      inner.export(spans, (r) => {
        outcome = r;
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': PROBE_SERVICE, 'service.instance.id': probeId }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  provider.getTracer('@otelkit/doctor').startSpan(PROBE_SPAN, { attributes: { 'probe.id': probeId } }).end();
  // The processor may also reject with the export error; the recorded outcome below says what happened.
  await provider.forceFlush().catch(() => undefined);
  await provider.shutdown().catch(() => undefined);
  return exportOutcome(outcome ?? { code: ExportResultCode.FAILED, error: new Error('the span was never exported') }, 'probe span', `${otlp.protocol} ${redactUrl(otlp.endpoint)}`);
}

async function getJson(url: string, timeoutMillis: number): Promise<unknown> {
  const shown = redactUrl(url);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMillis) });
  } catch (error) {
    // fetch quotes a URL with credentials in its error; the detail line must not.
    throw new Error(describeError(error).replaceAll(url, shown), { cause: error });
  }
  const body = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${shown}: ${body.slice(0, 200)}`);
  return JSON.parse(body) as unknown;
}

/** Polls `attempt` until it returns a result or the deadline passes; returns the last failure otherwise. */
async function poll(deadline: number, every: number, attempt: () => Promise<CheckResult>): Promise<CheckResult> {
  let last: CheckResult;
  for (;;) {
    try {
      last = await attempt();
    } catch (error) {
      last = { ok: false, detail: describeError(error) };
    }
    if (last.ok || Date.now() + every > deadline) return last;
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Sends one probe metric and one probe span over the configured OTLP endpoints, then waits until Prometheus and
 * Jaeger can answer queries for them. Every step says what failed and why.
 */
export async function runProbe(config: ResolvedConfig, options: ProbeOptions): Promise<ProbeReport> {
  const probeId = randomUUID();
  const promql = `otelkit_doctor_probe_total{probe_id="${probeId}"}`;
  const steps: ProbeStep[] = [];
  const [metric, span] = await Promise.all([sendMetric(config, probeId), sendSpan(config, probeId)]);
  steps.push({ step: 'send metric (OTLP)', ...metric }, { step: 'send span (OTLP)', ...span });
  const deadline = Date.now() + options.timeoutMillis;
  const every = options.pollMillis ?? 1000;
  const prometheusBase = options.prometheusUrl.replace(/\/+$/, '');
  const jaegerBase = options.jaegerUrl.replace(/\/+$/, '');
  // The base URLs are printed in every step's detail; requests use them as given.
  const prometheusShown = redactUrl(prometheusBase);
  const jaegerShown = redactUrl(jaegerBase);
  const seconds = Math.round(options.timeoutMillis / 1000);

  const inPrometheus = metric.ok
    ? poll(deadline, every, async () => {
        const body = (await getJson(`${prometheusBase}/api/v1/query?query=${encodeURIComponent(promql)}`, 5000)) as { status?: string; data?: { result?: { value?: [number, string] }[] }; error?: string };
        if (body.status !== 'success') return { ok: false, detail: `Prometheus query failed: ${body.error ?? JSON.stringify(body).slice(0, 200)}` };
        const sample = body.data?.result?.[0];
        return sample === undefined
          ? { ok: false, detail: `${promql} has no series in Prometheus at ${prometheusShown} after ${seconds} s (does Prometheus scrape the collector's prometheus exporter?)` }
          : { ok: true, detail: `${promql} = ${sample.value?.[1] ?? '?'} in Prometheus at ${prometheusShown}` };
      })
    : Promise.resolve({ ok: false, detail: 'skipped: the probe metric was not sent' });

  const inJaeger = span.ok
    ? poll(deadline, every, async () => {
        const tags = encodeURIComponent(JSON.stringify({ 'probe.id': probeId }));
        const url = `${jaegerBase}/api/traces?service=${encodeURIComponent(PROBE_SERVICE)}&tags=${tags}&lookback=1h&limit=20`;
        const body = (await getJson(url, 5000)) as { data?: { spans?: { operationName?: string }[] }[] | null };
        const found = (body.data ?? []).some((t) => (t.spans ?? []).some((s) => s.operationName === PROBE_SPAN));
        return found
          ? { ok: true, detail: `span "${PROBE_SPAN}" of service ${PROBE_SERVICE} found in Jaeger at ${jaegerShown}` }
          : { ok: false, detail: `span "${PROBE_SPAN}" (probe.id=${probeId}) not found in Jaeger at ${jaegerShown} after ${seconds} s (does the collector export traces to this Jaeger?)` };
      })
    : Promise.resolve({ ok: false, detail: 'skipped: the probe span was not sent' });

  const [prom, jaeger] = await Promise.all([inPrometheus, inJaeger]);
  steps.push({ step: 'query Prometheus', ...prom }, { step: 'query Jaeger', ...jaeger });
  return { ok: steps.every((s) => s.ok), probeId, service: PROBE_SERVICE, metric: { otel: PROBE_METRIC, promql }, steps };
}

export function formatProbe(report: ProbeReport): string {
  const lines = [`otelkit doctor --probe (probe.id ${report.probeId}, service ${report.service})`, ''];
  for (const s of report.steps) lines.push(`[${s.ok ? 'ok  ' : 'FAIL'}] ${s.step}: ${s.detail}`);
  lines.push('', report.ok ? 'The probe metric and span are queryable: the pipeline works end to end.' : 'The probe did not make it through (see the failed steps above).');
  return lines.join('\n');
}
