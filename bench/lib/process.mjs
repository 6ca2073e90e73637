// What every process benchmark gives the process it starts, and reads back from it.
import { readFileSync } from 'node:fs';
import { freePort } from './sinks.mjs';

/**
 * The env every variant runs with: the caller's env without OTEL_*, OTLP/gRPC metrics and OTLP/HTTP traces to the
 * local sinks, the Prometheus pull endpoint on a free port, no cloud metadata probes (every variant stays on loopback).
 */
export async function benchEnv(sinks, serviceName, extra = {}) {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL'))),
    OTEL_SERVICE_NAME: serviceName,
    OTEL_METRICS_EXPORTER: 'otlp,prometheus',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: sinks.grpcUrl,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sinks.httpUrl}/v1/traces`,
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
    ...extra,
  };
}

/** Peak resident set size of a live process (the kernel's VmHWM), in MiB. */
export function peakRssMiB(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
