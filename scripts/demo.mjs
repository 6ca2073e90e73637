// `npm run demo`: starts examples/bank under `--import @otelkit/node/register`, drives a bounded load against it,
// prints a selection of every pack's metrics from the pull endpoint and where everything is, then stops.
// OTLP goes to localhost:4317/4318; when no collector listens there otelkit only warns. When the native stack runs
// (`npm run stack:up`) the demo says so and points at Prometheus and Jaeger. With `--stack` it starts the native stack
// itself (built once, cached), reads back what arrived — the command counts from Prometheus on both metric paths, one
// causal trace from Jaeger, the alerts — and stops the stack again.
//
//   node scripts/demo.mjs [--duration 20] [--rate 20] [--error-share 0.1] [--fraud-down] [--stack]
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    rate: { type: 'string', default: '20' },
    'error-share': { type: 'string', default: '0.1' },
    'fraud-down': { type: 'boolean', default: false },
    stack: { type: 'boolean', default: false },
  },
  strict: true,
});

// The runner is TypeScript shared with the bank's tests; Node 24 strips its types.
const { startBank, runLoad, parseExposition, sumOf, freePort } = await import('../examples/bank/test/run-bank.ts');

async function reachable(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function portFree(port) {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Runs scripts/stack.mjs with this Node; resolves with its exit code. */
async function stackCommand(command) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [new URL('./stack.mjs', import.meta.url).pathname, command], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

let stackStartedHere = false;
if (args.stack) {
  console.log('demo: --stack: building (cached) and starting the native stack...');
  const code = await stackCommand('up');
  if (code !== 0) {
    console.error(`demo: the stack did not start (exit ${code}); see the lines above`);
    process.exit(1);
  }
  stackStartedHere = true;
}

const stack = {
  collector: await reachable('http://127.0.0.1:13133/'),
  prometheus: await reachable('http://127.0.0.1:9090/-/ready'),
  jaeger: await reachable('http://127.0.0.1:16686/api/services'),
};

// 9464 is where the stack's Prometheus looks for the app; fall back to any free port if something holds it.
const metricsPort = (await portFree(9464)) ? 9464 : await freePort();
const apiPort = (await portFree(3000)) ? 3000 : 0;
const duration = Number(args.duration);

console.log(`demo: starting examples/bank with otelkit (OTLP → localhost:4317/4318, pull endpoint :${metricsPort})`);
const bank = await startBank({
  port: apiPort,
  metricsPort,
  env: {
    OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'bank',
    OTEL_METRIC_EXPORT_INTERVAL: process.env.OTEL_METRIC_EXPORT_INTERVAL ?? '5000',
    FRAUD_DOWN: args['fraud-down'] ? 'true' : 'false',
  },
});
let stopped = false;
const stop = async () => {
  if (stopped) return;
  stopped = true;
  await bank.stop();
  if (stackStartedHere) {
    console.log('demo: stopping the stack it started');
    await stackCommand('down');
  }
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));

try {
  for (const line of bank.stdout().trim().split('\n')) console.log(`  ${line}`);
  console.log(`demo: sending load for ${duration} s (rate ${args.rate}/s, error share ${args['error-share']})`);
  const report = await runLoad(bank.url, { duration, rate: Number(args.rate), errorShare: Number(args['error-share']), accounts: 8, verbose: true });
  await fetch(`${bank.url}/admin/projections/settle`, { method: 'POST' }).then((r) => r.body?.cancel());

  let exposition;
  try {
    exposition = await (await fetch(bank.metricsUrl, { signal: AbortSignal.timeout(5_000) })).text();
  } catch (error) {
    console.error(`demo: the pull endpoint ${bank.metricsUrl} did not answer (${error.cause?.message ?? error.message}).`);
    console.error(`demo: the bank's stderr:\n${bank.stderr()}`);
    await stop();
    process.exit(1);
  }
  const samples = parseExposition(exposition);
  const row = (label, value) => console.log(`  ${label.padEnd(58)} ${value}`);
  const round = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(4));

  console.log(`\ndemo: the load sent ${report.sent} commands: ${JSON.stringify(report.byType)}; expected outcomes ${JSON.stringify(report.expected)}`);
  console.log(`demo: a selection of what ${bank.metricsUrl} shows now\n`);
  console.log('  commands (command_duration_seconds_count by type/outcome)');
  const commandTypes = [...new Set(samples.filter((s) => s.name === 'command_duration_seconds_count').map((s) => `${s.labels.command_type}/${s.labels.command_outcome}`))].sort();
  for (const key of commandTypes) {
    const [type, outcome] = key.split('/');
    row(`    ${type} ${outcome}`, sumOf(samples, 'command_duration_seconds_count', { command_type: type, command_outcome: outcome }));
  }
  const commandCount = sumOf(samples, 'command_duration_seconds_count');
  if (commandCount > 0) row('    mean command duration (s)', round(sumOf(samples, 'command_duration_seconds_sum') / commandCount));

  console.log('  event store');
  for (const op of ['append', 'read', 'aggregate', 'exists']) {
    const n = sumOf(samples, 'eventstore_operation_duration_seconds_count', { eventstore_operation: op });
    if (n > 0) row(`    ${op} operations`, n);
  }
  row('    events appended', sumOf(samples, 'eventstore_events_total', { eventstore_operation: 'append' }));

  console.log('  projections');
  for (const name of ['balance', 'statement']) {
    row(`    ${name}: events processed`, sumOf(samples, 'projection_events_total', { projection_name: name, projection_outcome: 'processed' }));
    row(`    ${name}: lag (s)`, round(sumOf(samples, 'projection_lag_seconds', { projection_name: name })));
  }

  console.log('  circuit breakers');
  for (const name of ['fraud-check', 'notifications']) {
    const state = samples.find((s) => s.name === 'circuit_breaker_state' && s.labels.circuit_breaker_name === name && s.value === 1)?.labels.circuit_breaker_state;
    const calls = samples.filter((s) => s.name === 'circuit_breaker_calls_total' && s.labels.circuit_breaker_name === name);
    const byOutcome = Object.fromEntries(calls.map((s) => [s.labels.circuit_breaker_outcome, s.value]));
    row(`    ${name}: state`, state ?? '(not seen)');
    row(`    ${name}: calls`, JSON.stringify(byOutcome));
  }

  console.log('  http');
  row('    server requests (the API and the fake external services)', sumOf(samples, 'http_server_request_duration_seconds_count'));
  row('    client requests (to the fake external services)', sumOf(samples, 'http_client_request_duration_seconds_count'));

  const families = new Set(samples.map((s) => s.name.replace(/_(bucket|count|sum)$/, '')));
  const runtime = [...families].filter((n) => /^(nodejs|v8js|process)_/.test(n));
  console.log(`  runtime: ${runtime.length} families, e.g. ${runtime.slice(0, 4).join(', ') || '(none)'}`);
  console.log(`  all together: ${families.size} metric families, ${samples.length} samples`);

  console.log('\ndemo: where everything is');
  console.log(`  bank API          ${bank.url}   (it stops with this demo; run it yourself: cd examples/bank && npm start)`);
  console.log(`  pull endpoint     ${bank.metricsUrl}`);
  if (stack.collector || stack.prometheus || stack.jaeger) {
    console.log(`  native stack      up: ${Object.entries(stack).filter(([, up]) => up).map(([k]) => k).join(', ')}`);
    if (stack.prometheus) console.log('  Prometheus        http://127.0.0.1:9090/graph?g0.expr=sum%20by%20(command_type%2C%20command_outcome)%20(command_duration_seconds_count)');
    if (stack.jaeger) console.log('  Jaeger            http://127.0.0.1:16686/search?service=bank  (API: /api/traces?service=bank)');
  } else {
    console.log('  native stack      not running: OTLP went nowhere (otelkit only warned). `npm run stack:up` starts the');
    console.log('                    collector, Prometheus and Jaeger on loopback; run the demo again to see data there.');
  }
  console.log('  dashboards        collector/grafana/dashboards/*.json   rules: collector/prometheus/rules/*.rules.yml');
  if (stack.prometheus || stack.jaeger) await readBack(report.sent);
  const warnings = bank.stderr().split('\n').filter((l) => l.startsWith('otelkit:'));
  if (warnings.length > 0) console.log(`\ndemo: otelkit said ${warnings.length} line(s) on stderr, first: ${warnings[0]}`);
} finally {
  await stop();
}

/** What reached the stack: command counts on both metric paths, one causal trace, the alerts. */
async function readBack(sent) {
  const prometheus = 'http://127.0.0.1:9090';
  const query = async (expr) => {
    const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5_000) });
    return (await res.json()).data?.result ?? [];
  };
  if (stack.prometheus) {
    // The pull path is job "app"; the collector path keeps the service's own job ("bank"). Both are scraped every
    // 15 s, and the OTLP push runs every 5 s: wait until both have the whole load, for a minute at most.
    console.log(`\ndemo: read back from Prometheus (sum of command_duration_seconds_count by job; the load sent ${sent})`);
    let byJob = {};
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      byJob = Object.fromEntries((await query('sum by (job) (command_duration_seconds_count)').catch(() => [])).map((r) => [r.metric.job, Number(r.value[1])]));
      if (Object.keys(byJob).length >= 2 && Object.values(byJob).every((v) => v === sent)) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    for (const [job, value] of Object.entries(byJob)) console.log(`  job ${job.padEnd(12)} ${value}${value === sent ? '  (all of them)' : ''}`);
    if (Object.keys(byJob).length === 0) console.log('  nothing yet (is the app target up? http://127.0.0.1:9090/targets)');
    const alerts = await fetch(`${prometheus}/api/v1/alerts`, { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.json())
      .then((j) => j.data?.alerts ?? [])
      .catch(() => []);
    console.log(`\ndemo: alerts in Prometheus: ${alerts.length === 0 ? 'none pending or firing' : ''}`);
    for (const a of alerts) console.log(`  ${a.state.padEnd(8)} ${a.labels.alertname} (${a.labels.severity ?? 'no severity'}) ${a.labels.job ?? ''}`);
  }
  if (stack.jaeger) {
    const jaeger = 'http://127.0.0.1:16686';
    const url = `${jaeger}/api/traces?service=${encodeURIComponent(process.env.OTEL_SERVICE_NAME ?? 'bank')}&operation=${encodeURIComponent('command Deposit')}&limit=1&lookback=1h`;
    let trace;
    for (let i = 0; i < 10 && trace === undefined; i++) {
      trace = await fetch(url, { signal: AbortSignal.timeout(5_000) })
        .then((r) => r.json())
        .then((j) => j.data?.[0])
        .catch(() => undefined);
      if (trace === undefined) await new Promise((r) => setTimeout(r, 1_000));
    }
    if (trace === undefined) {
      console.log('\ndemo: Jaeger has no "command Deposit" trace yet');
      return;
    }
    const spans = [...trace.spans].sort((a, b) => a.startTime - b.startTime);
    console.log(`\ndemo: one causal trace from Jaeger: ${trace.traceID} (${spans.length} spans)  ${jaeger}/trace/${trace.traceID}`);
    for (const span of spans) {
      const links = (span.references ?? []).filter((r) => r.refType === 'FOLLOWS_FROM').length;
      console.log(`  +${String(Math.round((span.startTime - spans[0].startTime) / 1000)).padStart(4)} ms  ${span.operationName}${links > 0 ? `  (linked to ${links} producer span(s))` : ''}`);
    }
  }
}
