// Exporter modules are imported only when configured, and only when the first batch leaves (startup cost is a
// budget). Providers must exist synchronously, so each exporter is a proxy whose first export waits for the import.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedOtlp } from '../config/resolved.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { redactUrl } from '../redact-url.js';

/** `otlp(grpc http://localhost:4317)` — used in the preamble, warnings and self-telemetry. */
export function otlpLabel(otlp: ResolvedOtlp, withHeaders: boolean = false): string {
  const protocol = otlp.protocol === 'grpc' ? 'grpc' : otlp.protocol === 'http/json' ? 'http/json' : 'http';
  // Header names only: values are often credentials.
  const keys = withHeaders ? Object.keys(otlp.headers) : [];
  const headers = keys.length === 0 ? '' : ` headers=${keys.map((k) => `${k}:***`).join(',')}`;
  const gzip = withHeaders && otlp.compression === 'gzip' ? ' gzip' : '';
  // File names only for TLS (never their contents); `mtls` says a client certificate is presented.
  const tls = withHeaders && otlp.tls !== undefined ? ` tls(${otlp.tls.certificateFile === undefined ? 'system CA' : `ca=${otlp.tls.certificateFile}`}${otlp.tls.cert === undefined ? '' : ' mtls'})` : '';
  return `otlp(${protocol} ${redactUrl(otlp.endpoint)}${gzip}${headers}${tls})`;
}

/** PEM texts as the gRPC and https modules take them; only the ones configured. */
function pem(otlp: ResolvedOtlp): { ca?: Buffer; key?: Buffer; cert?: Buffer } {
  const out: { ca?: Buffer; key?: Buffer; cert?: Buffer } = {};
  if (otlp.tls?.ca !== undefined) out.ca = Buffer.from(otlp.tls.ca);
  if (otlp.tls?.key !== undefined) out.key = Buffer.from(otlp.tls.key);
  if (otlp.tls?.cert !== undefined) out.cert = Buffer.from(otlp.tls.cert);
  return out;
}

const isHttps = (otlp: ResolvedOtlp): boolean => /^https:/i.test(otlp.endpoint);

async function grpcOptions(otlp: ResolvedOtlp): Promise<Record<string, unknown>> {
  const options: Record<string, unknown> = { url: otlp.endpoint, timeoutMillis: otlp.timeoutMillis, compression: otlp.compression };
  if (Object.keys(otlp.headers).length > 0) {
    const { Metadata } = await import('@grpc/grpc-js');
    const metadata = new Metadata();
    for (const [k, v] of Object.entries(otlp.headers)) metadata.set(k, v);
    options.metadata = metadata;
  }
  if (isHttps(otlp)) {
    // Always explicit for https: the exporter would otherwise read OTEL_EXPORTER_OTLP_*CERTIFICATE itself, past
    // otelkit's precedence and checks, and fall back to the system roots when a file is unreadable.
    const { credentials } = await import('@grpc/grpc-js');
    const { ca, key, cert } = pem(otlp);
    options.credentials = credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
  }
  return options;
}

function httpOptions(otlp: ResolvedOtlp): Record<string, unknown> {
  const options: Record<string, unknown> = { url: otlp.endpoint, timeoutMillis: otlp.timeoutMillis, compression: otlp.compression };
  if (Object.keys(otlp.headers).length > 0) options.headers = { ...otlp.headers };
  // Explicit for the same reason as gRPC's credentials; keepAlive is the exporter's own default.
  if (isHttps(otlp)) options.httpAgentOptions = { keepAlive: true, ...pem(otlp) };
  return options;
}

async function loadMetricExporter(otlp: ResolvedOtlp): Promise<PushMetricExporter> {
  // Cumulative temporality: the collector's prometheus exporter and the pull endpoint both expect it.
  const temporality = { temporalityPreference: AggregationTemporality.CUMULATIVE };
  switch (otlp.protocol) {
    case 'grpc': {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-grpc');
      return new OTLPMetricExporter({ ...(await grpcOptions(otlp)), ...temporality });
    }
    case 'http/protobuf': {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
      return new OTLPMetricExporter({ ...httpOptions(otlp), ...temporality });
    }
    case 'http/json': {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
      return new OTLPMetricExporter({ ...httpOptions(otlp), ...temporality });
    }
  }
}

async function loadSpanExporter(otlp: ResolvedOtlp): Promise<SpanExporter> {
  switch (otlp.protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter(await grpcOptions(otlp));
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter(httpOptions(otlp));
    }
    case 'http/json': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(httpOptions(otlp));
    }
  }
}

function failed(error: unknown): ExportResult {
  return { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) };
}

/**
 * Memoises `load` and starts it on first use. The OTLP modules (gRPC especially) are the heaviest part of
 * otelkit, and nothing is exported before the first interval, so loading them at startup would only slow it.
 */
function onFirstUse<T>(load: () => Promise<T>, onError: (error: unknown) => void): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (loading === undefined) {
      loading = load();
      loading.catch(onError);
    }
    return loading;
  };
}

/** A metric exporter whose implementation is imported when the first batch is exported. */
export function lazyMetricExporter(otlp: ResolvedOtlp, logger: Logger): PushMetricExporter {
  const get = onFirstUse(
    () => loadMetricExporter(otlp),
    (error) => logger.warn(`otelkit: could not load the OTLP metrics exporter (${describeError(error)}); metrics are not pushed [OTELKIT_E_INTERNAL]`),
  );
  let used = false;
  return {
    export(metrics: ResourceMetrics, done: (r: ExportResult) => void): void {
      used = true;
      get().then((e) => e.export(metrics, done)).catch((error: unknown) => done(failed(error)));
    },
    selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
    forceFlush: () => (used ? get().then((e) => e.forceFlush(), () => undefined) : Promise.resolve()),
    shutdown: () => (used ? get().then((e) => e.shutdown(), () => undefined) : Promise.resolve()),
  };
}

/** A span exporter whose implementation is imported when the first batch is exported. */
export function lazySpanExporter(otlp: ResolvedOtlp, logger: Logger): SpanExporter {
  const get = onFirstUse(
    () => loadSpanExporter(otlp),
    (error) => logger.warn(`otelkit: could not load the OTLP trace exporter (${describeError(error)}); spans are not exported [OTELKIT_E_INTERNAL]`),
  );
  let used = false;
  return {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
      used = true;
      get().then((e) => e.export(spans, done)).catch((error: unknown) => done(failed(error)));
    },
    forceFlush: () => (used ? get().then((e) => e.forceFlush?.(), () => undefined) : Promise.resolve()),
    shutdown: () => (used ? get().then((e) => e.shutdown(), () => undefined) : Promise.resolve()),
  };
}
