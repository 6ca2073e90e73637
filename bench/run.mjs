// `pnpm bench`: runs every benchmark in one go and rewrites the figures in bench/README.md.
// (a) startup wall + peak RSS, (b) per-operation cost, (c) /metrics response time, (d) one command via the
// commands pack vs the raw OTel API. Sections (b)-(d) each run in a fresh child process.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startSinks } from './lib/sinks.mjs';
import { fixed, ratio } from './lib/stats.mjs';
import { benchStartup } from './startup.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 10);

function child(script) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [here(script)], { cwd: here('.'), maxBuffer: 16 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

const began = Date.now();
const log = (m) => process.stderr.write(`bench: ${m}\n`);

log(`startup (${STARTUP_RUNS} runs per variant, interleaved)...`);
const sinks = await startSinks();
let startup;
try {
  startup = await benchStartup(sinks, { runs: STARTUP_RUNS });
} finally {
  await sinks.close();
}
log('per-operation cost and commands...');
let ops;
let opsError;
try {
  ops = await child('ops.mjs');
} catch (error) {
  opsError = error.message.split('\n')[0];
}
log('/metrics response time...');
const endpoint = await child('metrics-endpoint.mjs');
const seconds = Math.round((Date.now() - began) / 1000);

const cpu = cpus();
const bare = startup.find((s) => s.id === 'bare');
const mine = startup.find((s) => s.id === 'otelkit');
const addedWall = mine.wallMs - bare.wallMs;
const addedRss = mine.rssMiB - bare.rssMiB;
const verdict = (ok) => (ok ? 'within budget' : 'over budget');

const lines = [];
lines.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in one run of \`pnpm bench\` (\`node bench/run.mjs\`, ${seconds} s)`);
lines.push(`on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}.`);
lines.push('The machine is shared, so absolute figures are noisy; every row is a median and the ratios come from the same run.');
lines.push('');
lines.push(`### Startup: trivial app, dual export on (median of ${STARTUP_RUNS} runs)`);
lines.push('');
lines.push('| command | wall to app code | added | peak RSS | added | pull endpoint |');
lines.push('|---|---:|---:|---:|---:|---|');
for (const s of startup) {
  const isBare = s.id === 'bare';
  lines.push(
    `| \`${s.command}\` | ${fixed(s.wallMs)} ms | ${isBare ? '' : `+${fixed(s.wallMs - bare.wallMs)} ms`} | ${fixed(s.rssMiB, 1)} MiB | ${isBare ? '' : `+${fixed(s.rssMiB - bare.rssMiB, 1)} MiB`} | ${s.pull === undefined ? '' : s.pull === 200 ? 'answered 200' : `did not answer (${s.pull})`} |`,
  );
}
lines.push('');
lines.push(
  `otelkit's budget is ≤ +60 ms wall and ≤ +20 MiB peak RSS over bare node: measured +${fixed(addedWall)} ms (${verdict(addedWall <= 60)}) and +${fixed(addedRss, 1)} MiB (${verdict(addedRss <= 20)}).`,
);
lines.push('');
lines.push('### Per operation (ns per call, median of 7 rounds × 50,000 calls, one process)');
lines.push('');
if (ops === undefined) {
  lines.push(`Not measured: ${opsError}`);
} else {
  lines.push('| operation | raw OTel API | otelkit helper | helper / raw | prom-client |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const r of ops.perOp) lines.push(`| ${r.name} | ${fixed(r.raw)} | ${fixed(r.otelkit)} | ${ratio(r.otelkit, r.raw)} | ${r.prom === null ? '—' : fixed(r.prom)} |`);
}
lines.push('');
lines.push('### One command: `@otelkit/commands` vs the raw OTel API doing the same recording (ns per command)');
lines.push('');
if (ops === undefined) {
  lines.push(`pending: ${opsError}`);
} else {
  const { metricsOnly, withSpan } = ops.commands;
  lines.push('| recording | raw OTel API | `withCommand` | pack / raw | target |');
  lines.push('|---|---:|---:|---:|---|');
  lines.push(`| metrics only (duration by outcome + in-flight) | ${fixed(metricsOnly.raw)} | ${fixed(metricsOnly.pack)} | ${ratio(metricsOnly.pack, metricsOnly.raw)} | ≤ 0.5× (${metricsOnly.pack <= 0.5 * metricsOnly.raw ? 'met' : 'not met'}) |`);
  lines.push(`| with the \`command <Type>\` span | ${fixed(withSpan.raw)} | ${fixed(withSpan.pack)} | ${ratio(withSpan.pack, withSpan.raw)} | ≤ 1.2× (${withSpan.pack <= 1.2 * withSpan.raw ? 'met' : 'not met'}) |`);
}
lines.push('');
lines.push('### `GET /metrics` response time (median ms; one counter with N label sets)');
lines.push('');
lines.push('| series | otelkit pull endpoint | upstream `@opentelemetry/exporter-prometheus` | prom-client | otelkit / upstream |');
lines.push('|---:|---:|---:|---:|---:|');
for (const r of endpoint) lines.push(`| ${r.series.toLocaleString('en')} | ${fixed(r.otelkit, 1)} | ${fixed(r.upstream, 1)} | ${fixed(r.promClient, 1)} | ${ratio(r.otelkit, r.upstream)} |`);

const readmePath = here('README.md');
const BEGIN = '<!-- bench:begin (generated by node bench/run.mjs) -->';
const END = '<!-- bench:end -->';
let readme;
try {
  readme = readFileSync(readmePath, 'utf8');
} catch {
  readme = `# Benchmarks\n\n${BEGIN}\n${END}\n`;
}
const before = readme.indexOf(BEGIN);
const after = readme.indexOf(END);
readme = before < 0 || after < 0 ? `${readme}\n${BEGIN}\n${lines.join('\n')}\n${END}\n` : `${readme.slice(0, before + BEGIN.length)}\n${lines.join('\n')}\n${readme.slice(after)}`;
writeFileSync(readmePath, readme);
process.stdout.write(`${lines.join('\n')}\n`);
