// The real observability stack for e2e tests: the OpenTelemetry Collector built from collector/builder-config.yaml,
// Jaeger v2, Prometheus and Alertmanager, started natively on random loopback ports with the shipped configs.
// Binaries are built once into the otelkit cache (minutes on a cold machine, seconds after). If a backend cannot be
// built here, startStack rejects with a BackendUnavailableError that names it and says why: never a fake backend.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailableError } from '../../scripts/stack/backends.mjs';
import { startStack as startNativeStack, type RunningStack, type StackPorts, type StackUrls } from '../../scripts/stack/runner.mjs';
import type { ServerOptions } from '../../scripts/stack/servers.mjs';

export { BackendUnavailableError };
export type { StackPorts, StackUrls };

export interface StackOptions {
  /** host:port targets of the app's pull endpoint, scraped by Prometheus as job "app". */
  appTargets?: string[];
  /** Prometheus scrape/evaluation interval. @default '2s' */
  scrapeInterval?: string;
  /** Start Alertmanager too. @default true */
  alertmanager?: boolean;
  /** Where Alertmanager's critical and warning receivers deliver, e.g. a receiver the test listens on. */
  alertWebhookUrl?: string;
  /** How often the span_metrics connector flushes. @default '2s' */
  spanMetricsFlushInterval?: string;
  /** How long the collector's Prometheus exporter keeps a series nobody updates. @default the config's 5m */
  metricExpiration?: string;
  /** Server metrics (collector/receivers.yaml): postgres_exporter and node_exporter beside the collector. @default off */
  servers?: ServerOptions;
  /** Keep the state directory (logs, data) after stop(). @default false */
  keepState?: boolean;
}

export interface Stack {
  readonly urls: StackUrls;
  readonly ports: StackPorts;
  readonly stateDir: string;
  /** Path of a backend's log file (stdout + stderr). */
  logFile(name: 'collector' | 'jaeger' | 'prometheus' | 'alertmanager'): string;
  /** Stops the collector only (outage tests); the other backends keep running. */
  stopCollector(): Promise<void>;
  /** Starts the collector again on the same ports and waits until it is healthy. */
  startCollector(): Promise<void>;
  /** Replaces the targets of Prometheus job "app" (picked up by file_sd within seconds, no restart). */
  setAppTargets(targets: string[]): void;
  promQuery(expr: string): Promise<PromSample[]>;
  jaegerServices(): Promise<string[]>;
  jaegerTraces(service: string, opts?: { operation?: string; limit?: number; lookback?: string }): Promise<JaegerTrace[]>;
  stop(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: { key: string; type: string; value: unknown }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

/** Starts the stack on random free loopback ports. Call stop() in afterAll. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'otelkit-stack-'));
  let native: RunningStack;
  try {
    native = await startNativeStack({
      stateDir,
      ports: 'random',
      appTargets: opts.appTargets ?? [],
      scrapeInterval: opts.scrapeInterval ?? '2s',
      alertmanager: opts.alertmanager ?? true,
      ...(opts.alertWebhookUrl === undefined ? {} : { alertWebhookUrl: opts.alertWebhookUrl }),
      ...(opts.servers === undefined ? {} : { servers: opts.servers }),
      collectorEnv: {
        OTELKIT_SPANMETRICS_FLUSH_INTERVAL: opts.spanMetricsFlushInterval ?? '2s',
        ...(opts.metricExpiration === undefined ? {} : { OTELKIT_COLLECTOR_METRIC_EXPIRATION: opts.metricExpiration }),
      },
    });
  } catch (err) {
    if (!opts.keepState) rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  const { urls } = native;
  return {
    urls,
    ports: native.ports,
    stateDir,
    logFile: (name) => native.logFile(name),
    stopCollector: () => native.stopCollector(),
    startCollector: () => native.startCollector(),
    setAppTargets: (targets) => native.setAppTargets(targets),
    promQuery: (expr) => promQuery(urls.prometheus, expr),
    jaegerServices: () => jaegerServices(urls.jaegerQuery),
    jaegerTraces: (service, o) => jaegerTraces(urls.jaegerQuery, service, o),
    async stop() {
      await native.stop();
      if (!opts.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as unknown;
}

/** An instant PromQL query; returns the vector's samples (throws on a PromQL error). */
export async function promQuery(prometheusUrl: string, expr: string): Promise<PromSample[]> {
  const body = (await getJson(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
    status: string;
    data: { resultType: string; result: PromSample[] };
  };
  if (body.status !== 'success') throw new Error(`PromQL ${expr}: ${JSON.stringify(body)}`);
  if (body.data.resultType !== 'vector') throw new Error(`PromQL ${expr}: expected a vector, got ${body.data.resultType}`);
  return body.data.result;
}

/** Services Jaeger has spans for. */
export async function jaegerServices(jaegerQueryUrl: string): Promise<string[]> {
  const body = (await getJson(`${jaegerQueryUrl}/api/services`)) as { data: string[] | null };
  return body.data ?? [];
}

/** Traces of a service from Jaeger's query API (/api/traces). */
export async function jaegerTraces(
  jaegerQueryUrl: string,
  service: string,
  opts: { operation?: string; limit?: number; lookback?: string } = {},
): Promise<JaegerTrace[]> {
  const q = new URLSearchParams({ service, limit: String(opts.limit ?? 100), lookback: opts.lookback ?? '1h' });
  if (opts.operation) q.set('operation', opts.operation);
  const body = (await getJson(`${jaegerQueryUrl}/api/traces?${q.toString()}`)) as { data: JaegerTrace[] | null };
  return body.data ?? [];
}

/**
 * Polls fn until it returns a value that is not undefined/false (or stops throwing), then returns it. On timeout it
 * throws with the last value or error, so a failing e2e says what it last saw.
 */
export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
