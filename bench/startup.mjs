// (a) Startup: wall time from spawn until the trivial app's first line runs, and peak RSS (VmHWM) once the process
// has settled, for bare node, otelkit's register entry, NodeSDK with the same exporters, and the upstream
// auto-instrumentations register entry. Runs are interleaved so machine noise hits every variant alike.
// A second pass measures peak RSS after the first export: otelkit imports its OTLP exporter modules only when the
// first batch leaves, so the startup figure alone leaves them out while NodeSDK loads its exporters up front.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchEnv, peakRssMiB } from './lib/process.mjs';
import { median } from './lib/stats.mjs';

const APP_DIR = fileURLToPath(new URL('./fixtures/app/', import.meta.url));
const NODESDK = pathToFileURL(fileURLToPath(new URL('./fixtures/nodesdk-register.mjs', import.meta.url))).href;

export const STARTUP_SCENARIOS = [
  { id: 'bare', command: 'node main.mjs', args: [] },
  { id: 'otelkit', command: 'node --import @otelkit/node/register main.mjs', args: ['--import', '@otelkit/node/register'], pull: true },
  { id: 'nodesdk', command: 'node --import ./nodesdk-register.mjs main.mjs (NodeSDK, same exporters)', args: ['--import', NODESDK], pull: true },
  {
    id: 'auto',
    command: 'node --import @opentelemetry/auto-instrumentations-node/register main.mjs',
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
    pull: true,
  },
];

// Export phase: the same short schedule for every variant (otelkit, NodeSDK and the auto-instrumentations entry
// each read what they support of it), and a resource attribute that lets the sinks tell this process's exports.
const EXPORT_ENV = { OTEL_METRIC_EXPORT_INTERVAL: '500', OTEL_METRIC_EXPORT_TIMEOUT: '500', OTEL_BSP_SCHEDULE_DELAY: '500' };

function waitForLine(child, line, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      if (out.includes(line)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before printing ${line}`)));
  });
}

async function runOnce(scenario, sinks, { settleMs, checkPull, afterExport = false, exportTimeoutMs = 10_000 }) {
  const marker = randomUUID();
  const env = await benchEnv(sinks, 'bench-app', afterExport ? { ...EXPORT_ENV, OTEL_RESOURCE_ATTRIBUTES: `bench.run=${marker}`, BENCH_RECORD: '1' } : {});
  const port = env.OTEL_EXPORTER_PROMETHEUS_PORT;
  const watch = afterExport ? sinks.watch(marker) : undefined;
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...scenario.args, 'main.mjs'], { cwd: APP_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const recorded = afterExport ? waitForLine(child, 'bench:recorded', scenario.id) : undefined;
  recorded?.catch(() => {});
  const readyMs = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('bench:ready')) resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
    child.once('exit', (code) => reject(new Error(`${scenario.id} exited (${code}) before the app ran: ${stderr}`)));
  });
  let exported;
  try {
    if (afterExport) {
      await recorded;
      // Bare node has no exporter: its figure is read the same settle time after the app recorded.
      if (scenario.id !== 'bare') {
        exported = await watch.until((c) => c.metrics >= 1 && c.traces >= 1, exportTimeoutMs);
        exported.afterMs = Number(process.hrtime.bigint() - started) / 1e6 - readyMs;
      }
    }
  } finally {
    watch?.stop();
  }
  await new Promise((r) => setTimeout(r, settleMs));
  const rssMiB = peakRssMiB(child.pid);
  let pull;
  if (checkPull && scenario.pull) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      pull = res.status;
      await res.text();
    } catch (error) {
      pull = String(error.cause?.code ?? error.message);
    }
  }
  child.kill('SIGKILL');
  await exited;
  return { readyMs, rssMiB, pull, stderr, exported };
}

/**
 * `runs` interleaved startup runs per variant after one warm-up each, then `exportRuns` interleaved runs in which
 * the app records one counter increment and one span and peak RSS is read `settleMs` after the sinks have received
 * a metrics export and a trace export from that process (or after `exportTimeoutMs`, counted as a timeout).
 */
export async function benchStartup(sinks, { runs = 10, exportRuns = 5, settleMs = 400, exportTimeoutMs = 10_000 } = {}) {
  const results = Object.fromEntries(
    STARTUP_SCENARIOS.map((s) => [s.id, { wall: [], rss: [], exportRss: [], exportAfter: [], timeouts: [], pull: undefined, stderr: '' }]),
  );
  for (const s of STARTUP_SCENARIOS) {
    // One unmeasured run per variant warms the file cache (and Node's compile cache where a variant enables it).
    const r = await runOnce(s, sinks, { settleMs, checkPull: true });
    results[s.id].pull = r.pull;
    results[s.id].stderr = r.stderr.trim();
  }
  for (let i = 0; i < runs; i++) {
    for (const s of STARTUP_SCENARIOS) {
      const r = await runOnce(s, sinks, { settleMs, checkPull: false });
      results[s.id].wall.push(r.readyMs);
      results[s.id].rss.push(r.rssMiB);
    }
  }
  for (let i = 0; i < exportRuns; i++) {
    for (const s of STARTUP_SCENARIOS) {
      const r = await runOnce(s, sinks, { settleMs, checkPull: false, afterExport: true, exportTimeoutMs });
      const res = results[s.id];
      res.exportRss.push(r.rssMiB);
      if (r.exported?.timedOut) res.timeouts.push(`${r.exported.metrics} metrics / ${r.exported.traces} trace exports`);
      else if (r.exported !== undefined) res.exportAfter.push(r.exported.afterMs);
    }
  }
  return STARTUP_SCENARIOS.map((s) => {
    const res = results[s.id];
    return {
      ...s,
      wallMs: median(res.wall),
      rssMiB: median(res.rss),
      exportRssMiB: median(res.exportRss),
      // Median time from the app's first line until both exports had arrived (runs that timed out excluded).
      exportAfterMs: res.exportAfter.length > 0 ? median(res.exportAfter) : undefined,
      exportTimeouts: res.timeouts,
      pull: res.pull,
      stderr: res.stderr,
      runs,
      exportRuns,
    };
  });
}
