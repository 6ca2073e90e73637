// (f) A real service under load: examples/bank (HTTP in, HTTP out through breakers, commands, event store, two
// projections) under wrk on loopback, deposits spread over 64 accounts from 16 connections. Variants run
// interleaved, round by round: bare node, otelkit with every pack (traces 100% sampled, metrics over OTLP/gRPC and
// the pull endpoint, spans over OTLP/HTTP, all to the local sinks), and the upstream auto-instrumentations entry
// (NodeSDK inside; the bank's explicit pack calls then record through its global providers). Needs `wrk` on PATH.
//   node bench/service.mjs [--duration 15] [--rounds 2]   → prints JSON; bench/run.mjs --service writes the table.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { benchEnv, peakRssMiB } from './lib/process.mjs';
import { startSinks } from './lib/sinks.mjs';
import { median } from './lib/stats.mjs';

const BANK_DIR = fileURLToPath(new URL('../examples/bank/', import.meta.url));
const AUTO = pathToFileURL(createRequire(import.meta.url).resolve('@opentelemetry/auto-instrumentations-node/register')).href;
const ACCOUNTS = 64;
const CONNECTIONS = 16;
const CLK_TCK = 100;

export const SERVICE_SCENARIOS = [
  { id: 'bare', command: 'node src/main.ts', args: [] },
  { id: 'otelkit', command: 'node --import @otelkit/node/register src/main.ts (every pack)', args: ['--import', '@otelkit/node/register'] },
  { id: 'auto', command: 'node --import @opentelemetry/auto-instrumentations-node/register src/main.ts', args: ['--import', AUTO] },
  // Where otelkit's cost goes: the same, with 10 % of traces sampled, and with no trace sampled (metrics only).
  {
    id: 'otelkit-10',
    command: 'otelkit, all packs, `OTEL_TRACES_SAMPLER=parentbased_traceidratio` `OTEL_TRACES_SAMPLER_ARG=0.1`',
    args: ['--import', '@otelkit/node/register'],
    env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  },
  { id: 'otelkit-off', command: 'otelkit, all packs, `OTEL_TRACES_SAMPLER=always_off` (metrics only)', args: ['--import', '@otelkit/node/register'], env: { OTEL_TRACES_SAMPLER: 'always_off' } },
];

const WRK_SCRIPT = `
local ids = {}
for id in string.gmatch(os.getenv("ACCOUNTS") or "", "[^,]+") do ids[#ids + 1] = id end
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/accounts/" .. ids[(n % #ids) + 1] .. "/deposits", { ["content-type"] = "application/json" }, '{"amount":1}')
end
`;

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function ms(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (m === null) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

function wrk(url, script, accounts, durationS) {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${durationS}s`, '--latency', '-s', script, url], { env: { ...process.env, ACCOUNTS: accounts.join(',') }, timeout: (durationS + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
      const p50 = ms(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
      const p99 = ms(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
      resolve({ rps, requests, non2xx, p50, p99 });
    });
  });
}

async function runOnce(scenario, sinks, script, durationS) {
  // parentbased_always_on is every SDK's default; named so the 100% sampling is explicit.
  const env = await benchEnv(sinks, 'bench-bank', { PORT: '0', OTEL_TRACES_SAMPLER: 'parentbased_always_on', ...scenario.env });
  const child = spawn(process.execPath, [...scenario.args, 'src/main.ts'], { cwd: BANK_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const base = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`${scenario.id}: the bank exited (${code}) before listening: ${stderr}`)));
    });
    const accounts = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const res = await fetch(`${base}/accounts`, { method: 'POST', body: JSON.stringify({ owner: `bench-${i}` }) });
      accounts.push((await res.json()).accountId);
    }
    // A short warm-up so JIT and lazily loaded exporters are out of the measured window.
    await wrk(base, script, accounts, 2);
    const cpuBefore = cpuSeconds(child.pid);
    const spansBefore = sinks.spans;
    const r = await wrk(base, script, accounts, durationS);
    const cpuMsPerRequest = ((cpuSeconds(child.pid) - cpuBefore) * 1000) / r.requests;
    // Spans that reached the sink during the measured window, per request: what was exported, not what was made
    // (a batch processor drops spans when its queue is full). Read after a pause for the last batch in flight.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const spansPerRequest = (sinks.spans - spansBefore) / r.requests;
    return { ...r, cpuMsPerRequest, spansPerRequest, rssMiB: peakRssMiB(child.pid) };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Interleaved rounds of every scenario; medians per scenario. */
export async function benchService({ durationS = 15, rounds = 2 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-'));
  const script = join(dir, 'deposits.lua');
  writeFileSync(script, WRK_SCRIPT);
  const sinks = await startSinks();
  const samples = new Map(SERVICE_SCENARIOS.map((s) => [s.id, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const scenario of SERVICE_SCENARIOS) samples.get(scenario.id).push(await runOnce(scenario, sinks, script, durationS));
    }
  } finally {
    await sinks.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const pick = (id, key) => samples.get(id).map((r) => r[key]);
  return SERVICE_SCENARIOS.map((s) => ({
    id: s.id,
    command: s.command,
    rps: median(pick(s.id, 'rps')),
    rpsRange: [Math.min(...pick(s.id, 'rps')), Math.max(...pick(s.id, 'rps'))],
    p50: median(pick(s.id, 'p50')),
    p99: median(pick(s.id, 'p99')),
    cpuMsPerRequest: median(pick(s.id, 'cpuMsPerRequest')),
    spansPerRequest: median(pick(s.id, 'spansPerRequest')),
    rssMiB: median(pick(s.id, 'rssMiB')),
    non2xx: pick(s.id, 'non2xx').reduce((a, b) => a + b, 0),
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '15' }, rounds: { type: 'string', default: '2' } } });
  console.log(JSON.stringify(await benchService({ durationS: Number(values.duration), rounds: Number(values.rounds) })));
}
