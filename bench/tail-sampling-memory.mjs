// Memory a gateway (collector/gateway.yaml) holds per trace waiting for its tail-sampling decision.
//
//   node bench/tail-sampling-memory.mjs [--traces=50000] [--step=10000] [--spans=6]
//
// Starts the built collector with gateway.yaml on loopback (plus an OTLP/HTTP receiver, so this script can send
// JSON without a gRPC client), with a decision wait longer than the run and a share of 0 %: every trace sent stays
// in memory, undecided, until the end. Sends `--traces` traces of `--spans` spans each (the shape of one bank
// command: the command, its appends, its projections), `--step` at a time, and after each step reads the gateway's
// own telemetry (RSS, Go heap, traces on memory). Prints one JSON line. Everything is bounded and stops by itself.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCollector, repoRoot } from '../scripts/stack/backends.mjs';

const { values } = parseArgs({
  options: { traces: { type: 'string', default: '50000' }, step: { type: 'string', default: '10000' }, spans: { type: 'string', default: '6' } },
});
const TRACES = Number(values.traces);
const STEP = Number(values.step);
const SPANS = Number(values.spans);
for (const [name, v, max] of [['traces', TRACES, 200_000], ['step', STEP, TRACES], ['spans', SPANS, 50]]) {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`tail-sampling-memory: --${name} must be an integer from 1 to ${max}`);
}
const HOST = '127.0.0.1';
const BATCH = 250;
const log = (m) => process.stderr.write(`tail-sampling-memory: ${m}\n`);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The span metrics go to remote write; this sink accepts and drops them.
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise((resolve) => sink.listen(0, HOST, resolve));

const [grpc, http, health, telemetry, jaeger] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-tail-memory-'));
const overlay = join(scratch, 'http.yaml');
writeFileSync(overlay, `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: ${HOST}:${http}\n`);

const collector = await ensureCollector();
const gateway = spawn(collector, [`--config=${join(repoRoot, 'collector', 'gateway.yaml')}`, `--config=${overlay}`], {
  env: {
    ...process.env,
    OTELKIT_GATEWAY_NAME: 'bench',
    OTELKIT_COLLECTOR_OTLP_GRPC_ENDPOINT: `${HOST}:${grpc}`,
    OTELKIT_COLLECTOR_HEALTH_ENDPOINT: `${HOST}:${health}`,
    OTELKIT_COLLECTOR_TELEMETRY_HOST: HOST,
    OTELKIT_COLLECTOR_TELEMETRY_PORT: String(telemetry),
    // Nothing listens there: with a share of 0 % and no error or slow trace, nothing is exported.
    OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT: `${HOST}:${jaeger}`,
    OTELKIT_REMOTE_WRITE_URL: `http://${HOST}:${sink.address().port}/api/v1/write`,
    OTELKIT_TAIL_DECISION_WAIT: '600s',
    OTELKIT_TAIL_NUM_TRACES: String(TRACES * 2),
    OTELKIT_TAIL_SAMPLING_PERCENTAGE: '0',
  },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stderr = '';
gateway.stderr.on('data', (d) => {
  stderr = (stderr + d).slice(-4000);
});
const deadline = setTimeout(() => {
  log('gave up after 10 minutes');
  gateway.kill('SIGKILL');
  process.exit(1);
}, 600_000);

async function waitHealthy() {
  for (let i = 0; i < 120; i += 1) {
    if (gateway.exitCode !== null) throw new Error(`the gateway exited (${gateway.exitCode}):\n${stderr}`);
    try {
      if ((await fetch(`http://${HOST}:${health}/`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the gateway never became healthy:\n${stderr}`);
}

async function selfMetrics() {
  const text = await (await fetch(`http://${HOST}:${telemetry}/metrics`)).text();
  const value = (name) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    rssBytes: value('otelcol_process_memory_rss(?:_bytes)?'),
    heapBytes: value('otelcol_process_runtime_heap_alloc_bytes'),
    tracesOnMemory: value('otelcol_processor_tail_sampling_sampling_traces_on_memory'),
  };
}

// Several reads a second apart: the Go heap swings between collections, its low point is what is live.
async function settle() {
  const reads = [];
  for (let i = 0; i < 6; i += 1) {
    await new Promise((r) => setTimeout(r, 1000));
    reads.push(await selfMetrics());
  }
  const of = (k) => reads.map((r) => r[k]).filter((v) => v !== undefined);
  return { rssBytes: Math.max(...of('rssBytes')), heapBytes: Math.min(...of('heapBytes')), tracesOnMemory: Math.max(...of('tracesOnMemory')) };
}

const hex = (n) => randomBytes(n).toString('hex');
const attr = (key, value) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });

// One bank command: `command Deposit` → event-store append → projections, each span with the attributes the packs set.
function trace(startNs) {
  const traceId = hex(16);
  const root = hex(8);
  const spans = [];
  for (let i = 0; i < SPANS; i += 1) {
    const start = startNs + BigInt(i) * 1_000_000n;
    const kind = i === 0 ? 'command Deposit' : i === 1 ? 'eventstore append' : `projection account-${i}`;
    spans.push({
      traceId,
      spanId: i === 0 ? root : hex(8),
      ...(i === 0 ? {} : { parentSpanId: root }),
      name: kind,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 5_000_000n),
      attributes: [attr('command.type', 'Deposit'), attr('stream.id', `account-${hex(4)}`), attr('eventstore.system', 'memory'), attr('event.count', 1)],
      status: { code: 1 },
    });
  }
  return spans;
}

async function send(count) {
  for (let sent = 0; sent < count; sent += BATCH) {
    const n = Math.min(BATCH, count - sent);
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [];
    for (let i = 0; i < n; i += 1) spans.push(...trace(now));
    const body = {
      resourceSpans: [{
        resource: { attributes: [attr('service.name', 'bank'), attr('service.instance.id', 'bench-1')] },
        scopeSpans: [{ scope: { name: '@otelkit/commands' }, spans }],
      }],
    };
    const res = await fetch(`http://${HOST}:${http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the gateway answered ${res.status} to a batch (memory_limiter refusing?)`);
  }
}

const loadBefore = loadavg()[0];
const steps = [];
try {
  await waitHealthy();
  steps.push({ traces: 0, ...(await settle()) });
  log(`baseline: ${JSON.stringify(steps[0])}`);
  for (let total = STEP; total <= TRACES; total += STEP) {
    await send(STEP);
    steps.push({ traces: total, ...(await settle()) });
    log(`held ${total}: ${JSON.stringify(steps.at(-1))}`);
  }
} finally {
  clearTimeout(deadline);
  gateway.kill('SIGTERM');
  const killer = setTimeout(() => gateway.kill('SIGKILL'), 10_000);
  await new Promise((r) => (gateway.exitCode !== null ? r() : gateway.once('exit', r)));
  clearTimeout(killer);
  sink.close();
  rmSync(scratch, { recursive: true, force: true });
}

// Per 10k traces: the slope from the baseline to the last step.
const first = steps[0];
const last = steps.at(-1);
const per10k = (k) => Math.round(((last[k] - first[k]) / (last.traces / 10_000)) / 2 ** 20 * 10) / 10;
process.stdout.write(`${JSON.stringify({
  spansPerTrace: SPANS,
  traces: TRACES,
  mibPer10kTraces: { rss: per10k('rssBytes'), heap: per10k('heapBytes') },
  steps: steps.map((s) => ({ traces: s.traces, tracesOnMemory: s.tracesOnMemory, rssMiB: Math.round(s.rssBytes / 2 ** 20), heapMiB: Math.round(s.heapBytes / 2 ** 20) })),
  loadAverage: { before: loadBefore, after: loadavg()[0] },
})}\n`);
