import { connect, createServer } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResolvedOtlp } from '../config/resolved.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { lazyMetricExporter, lazySpanExporter } from '../sdk/exporters.js';

/** One check's outcome, as printed by `otelkit doctor`. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** Whether host:port can be bound right now (i.e. the pull endpoint could start). */
export async function checkPortFree(host: string, port: number): Promise<CheckResult> {
  const bound = await new Promise<CheckResult>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve({ ok: false, detail: error.code === 'EADDRINUSE' ? `in use (another process listens on ${host}:${port})` : describeError(error) });
    });
    server.listen(port, host, () => server.close(() => resolve({ ok: true, detail: 'free' })));
  });
  if (bound.ok || !bound.detail.startsWith('in use')) return bound;
  // Often the app itself holds the port: say so when a metrics endpoint answers there.
  const target = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  try {
    const res = await fetch(`http://${target}:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 200 && /^(text\/plain|application\/openmetrics-text)/.test(type)) {
      return { ok: false, detail: `in use by a running metrics endpoint (GET /metrics answers ${type.split(';')[0] ?? type}; the app itself?)` };
    }
    if (res.status === 401) return { ok: false, detail: 'in use by an endpoint that demands credentials (the app itself, with OTELKIT_PROMETHEUS_AUTH?)' };
  } catch {
    // Not HTTP, or not answering: the generic message stands.
  }
  return bound;
}

/** The host and port a URL-ish OTLP endpoint connects to. */
export function endpointAddress(endpoint: string): { host: string; port: number } {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** A plain TCP connect with a timeout: tells "nothing listens" apart from "listens but rejects the export". */
export function checkTcp(endpoint: string, timeoutMillis: number): Promise<CheckResult> {
  const { host, port } = endpointAddress(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: CheckResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMillis, () => done({ ok: false, detail: `no TCP answer from ${host}:${port} within ${timeoutMillis} ms` }));
    socket.once('connect', () => done({ ok: true, detail: `TCP ${host}:${port} accepts connections` }));
    socket.once('error', (error) => done({ ok: false, detail: `TCP ${host}:${port}: ${describeError(error)}` }));
  });
}

function resultOf(result: ExportResult, what: string): CheckResult {
  return result.code === ExportResultCode.SUCCESS
    ? { ok: true, detail: `${what} accepted` }
    : { ok: false, detail: `${what} failed: ${result.error === undefined ? 'unknown error' : describeError(result.error)}` };
}

function withTimeout(promise: Promise<CheckResult>, millis: number, what: string): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `${what}: no answer within ${millis} ms` }), millis);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Sends a real, empty OTLP metrics export (one resource, no metrics) with the configured exporter. */
export async function checkMetricsExport(otlp: ResolvedOtlp, timeoutMillis: number): Promise<CheckResult> {
  const exporter = lazyMetricExporter({ ...otlp, timeoutMillis }, quiet);
  const sent = new Promise<CheckResult>((resolve) => {
    exporter.export({ resource: resourceFromAttributes({ 'service.name': 'otelkit-doctor' }), scopeMetrics: [] }, (r) => resolve(resultOf(r, 'empty metrics export')));
  });
  try {
    return await withTimeout(sent, timeoutMillis + 1000, 'empty metrics export');
  } finally {
    await exporter.shutdown().catch(() => undefined);
  }
}

/** Sends a real, empty OTLP traces export with the configured exporter. */
export async function checkTracesExport(otlp: ResolvedOtlp, timeoutMillis: number): Promise<CheckResult> {
  const exporter = lazySpanExporter({ ...otlp, timeoutMillis }, quiet);
  const sent = new Promise<CheckResult>((resolve) => {
    exporter.export([], (r) => resolve(resultOf(r, 'empty traces export')));
  });
  try {
    return await withTimeout(sent, timeoutMillis + 1000, 'empty traces export');
  } finally {
    await exporter.shutdown().catch(() => undefined);
  }
}
