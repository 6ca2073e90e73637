// (e) Startup with packs: the bank's dependencies (every pack installed, as a user runs it), with an entry that only
// prints a line, so the figure is what the bootstrap and its packs cost over bare node on the same app directory.
// One row per pack (OTELKIT_PACKS=<name>), and the upstream auto-instrumentations entry for comparison. Interleaved
// run by run after one warm-up each; wall from spawn to the line, peak RSS (VmHWM) read when the line arrives.
// (e2) An ESM-heavy app (fixtures/esm-app: all of lodash-es, about 640 ES modules, with every pack installed):
// what the loader hook costs the app's own module graph.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchEnv, peakRssMiB } from './lib/process.mjs';
import { median } from './lib/stats.mjs';

const BANK_DIR = fileURLToPath(new URL('../examples/bank/', import.meta.url));
const ESM_APP_DIR = fileURLToPath(new URL('./fixtures/esm-app/', import.meta.url));
const AUTO = pathToFileURL(createRequire(import.meta.url).resolve('@opentelemetry/auto-instrumentations-node/register')).href;
const PROBE = "process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
const PACKS = ['circuit-breakers', 'commands', 'db', 'event-store', 'http', 'projections'];

export const PACK_STARTUP_SCENARIOS = [
  { id: 'bare', command: 'node (bank dependencies, no bootstrap)', args: [] },
  { id: 'otelkit', command: 'otelkit register, every pack', args: ['--import', '@otelkit/node/register'] },
  ...PACKS.map((p) => ({ id: `pack:${p}`, command: `otelkit register, \`OTELKIT_PACKS=${p}\``, args: ['--import', '@otelkit/node/register'], env: { OTELKIT_PACKS: p } })),
  { id: 'none', command: 'otelkit register, `OTELKIT_PACKS=none`', args: ['--import', '@otelkit/node/register'], env: { OTELKIT_PACKS: 'none' } },
  { id: 'auto', command: 'upstream `auto-instrumentations-node/register`', args: ['--import', AUTO] },
];

export const ESM_STARTUP_SCENARIOS = [
  { id: 'bare', command: 'node main.mjs (imports lodash-es)', args: [] },
  { id: 'otelkit', command: 'otelkit register, every pack', args: ['--import', '@otelkit/node/register'] },
  { id: 'none', command: 'otelkit register, `OTELKIT_PACKS=none`', args: ['--import', '@otelkit/node/register'], env: { OTELKIT_PACKS: 'none' } },
  { id: 'auto', command: 'upstream `auto-instrumentations-node/register`', args: ['--import', AUTO] },
];

const BANK_APP = { dir: BANK_DIR, service: 'bench-bank', argv: ['--input-type=module', '-e', PROBE] };
const ESM_APP = { dir: ESM_APP_DIR, service: 'bench-esm-app', argv: ['main.mjs'] };

async function runOnce(scenario, sinks, app) {
  const env = await benchEnv(sinks, app.service, scenario.env);
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...scenario.args, ...app.argv], { cwd: app.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const wallMs = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        if (String(d).includes('ready')) resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
      child.once('exit', (code) => reject(new Error(`${scenario.id} exited (${code}) before it was ready: ${stderr}`)));
    });
    return { wallMs, rssMiB: peakRssMiB(child.pid) };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Median wall and peak RSS per scenario, interleaved over `runs` rounds after one warm-up round. */
async function interleaved(scenarios, app, sinks, runs) {
  const samples = new Map(scenarios.map((s) => [s.id, []]));
  for (let round = -1; round < runs; round++) {
    for (const scenario of scenarios) {
      const r = await runOnce(scenario, sinks, app);
      if (round >= 0) samples.get(scenario.id).push(r);
    }
  }
  return scenarios.map((s) => ({
    id: s.id,
    command: s.command,
    wallMs: median(samples.get(s.id).map((r) => r.wallMs)),
    rssMiB: median(samples.get(s.id).map((r) => r.rssMiB)),
  }));
}

/** The bank's dependencies: every pack, one pack at a time, none, upstream. */
export function benchPackStartup(sinks, { runs }) {
  return interleaved(PACK_STARTUP_SCENARIOS, BANK_APP, sinks, runs);
}

/** The ESM-heavy app. */
export function benchEsmStartup(sinks, { runs }) {
  return interleaved(ESM_STARTUP_SCENARIOS, ESM_APP, sinks, runs);
}
