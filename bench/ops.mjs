// (b) per-operation cost of otelkit's helpers vs the raw OTel API vs prom-client, and (d) one command recorded by
// @otelkit/commands vs the raw OTel API doing the same recording. Run as its own process (`node ops.mjs`, prints
// JSON): every variant records into the same SDK, set up by otelkit's start() with dual export to local sinks.
import { metrics, trace } from '@opentelemetry/api';
import { bindCommands, withCommand } from '@otelkit/commands';
import { counter, histogram, start, startTimer, withSpan } from '@otelkit/node';
import client from 'prom-client';
import { freePort, startSinks } from './lib/sinks.mjs';
import { nsPerOp } from './lib/stats.mjs';

const sinks = await startSinks();
Object.assign(process.env, {
  OTEL_SERVICE_NAME: 'bench-ops',
  OTEL_METRICS_EXPORTER: 'otlp,prometheus',
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: sinks.grpcUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sinks.httpUrl}/v1/traces`,
  OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
  OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
  OTELKIT_PACKS: 'none',
  OTEL_LOG_LEVEL: 'error',
});
const otelkit = start();

const ATTRS = { 'http.route': '/accounts', 'http.response.status_code': 200 };
const LABELS = { route: '/accounts', status: '200' };
const meter = metrics.getMeter('bench.raw');
const tracer = trace.getTracer('bench.raw');
const noop = () => undefined;

// ---- (b) helpers vs raw vs prom-client
const rawCounter = meter.createCounter('bench.raw.requests');
const helperCounter = counter('bench.helper.requests');
const rawHistogram = meter.createHistogram('bench.raw.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] } });
const helperHistogram = histogram('bench.helper.duration', { unit: 's' });
const registry = new client.Registry();
const promCounter = new client.Counter({ name: 'bench_prom_requests_total', help: 'x', labelNames: ['route', 'status'], registers: [registry] });
const promHistogram = new client.Histogram({ name: 'bench_prom_duration_seconds', help: 'x', labelNames: ['route', 'status'], registers: [registry] });

const ops = {
  'counter add (2 attributes)': {
    raw: () => rawCounter.add(1, ATTRS),
    otelkit: () => helperCounter.add(1, ATTRS),
    prom: () => promCounter.inc(LABELS),
  },
  'histogram record (2 attributes)': {
    raw: () => rawHistogram.record(0.0123, ATTRS),
    otelkit: () => helperHistogram.record(0.0123, ATTRS),
    prom: () => promHistogram.observe(LABELS, 0.0123),
  },
  'timed histogram (start + stop)': {
    raw: () => {
      const t = performance.now();
      rawHistogram.record((performance.now() - t) / 1000, ATTRS);
    },
    otelkit: () => startTimer(helperHistogram, ATTRS).stop(),
    prom: () => promHistogram.startTimer(LABELS)(),
  },
  'active span (start + end)': {
    raw: () => tracer.startActiveSpan('op', (span) => span.end()),
    otelkit: () => withSpan('op', noop, { tracer }),
    prom: undefined,
  },
};

const perOp = [];
for (const [name, variants] of Object.entries(ops)) {
  const row = { name };
  // Interleave variants per round of timing so drift on a busy machine is shared.
  for (const v of ['raw', 'otelkit', 'prom']) row[v] = variants[v] === undefined ? null : nsPerOp(variants[v]);
  perOp.push(row);
}

// ---- (d) one command: @otelkit/commands vs the raw OTel API doing the same recording
const rawDuration = meter.createHistogram('bench.raw.command.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] } });
const rawActive = meter.createUpDownCounter('bench.raw.command.active', { unit: '{command}' });
// What an app writes by hand: in-flight up/down, a duration with type and outcome, attributes built per call.
function rawCommandMetrics(type, fn) {
  rawActive.add(1, { 'command.type': type });
  const startedAt = performance.now();
  const result = fn();
  rawDuration.record((performance.now() - startedAt) / 1000, { 'command.type': type, 'command.outcome': 'success' });
  rawActive.add(-1, { 'command.type': type });
  return result;
}
function rawCommandWithSpan(type, fn) {
  return tracer.startActiveSpan(`command ${type}`, { attributes: { 'command.type': type } }, (span) => {
    const result = rawCommandMetrics(type, fn);
    span.end();
    return result;
  });
}

const packMeter = metrics.getMeter('@otelkit/commands');
const packTracer = trace.getTracer('@otelkit/commands');
let unbind = bindCommands(packMeter, packTracer, '', { spans: false });
const commandsMetricsOnly = { raw: nsPerOp(() => rawCommandMetrics('OpenAccount', noop)), pack: nsPerOp(() => withCommand('OpenAccount', noop)) };
unbind();
unbind = bindCommands(packMeter, packTracer, '', { spans: true });
const commandsWithSpan = { raw: nsPerOp(() => rawCommandWithSpan('OpenAccount', noop)), pack: nsPerOp(() => withCommand('OpenAccount', noop)) };
unbind();

await otelkit.shutdown();
await sinks.close();
process.stdout.write(`${JSON.stringify({ perOp, commands: { metricsOnly: commandsMetricsOnly, withSpan: commandsWithSpan } })}\n`);
