// `pnpm bench`: runs every benchmark in one go and rewrites the figures in bench/README.md.
// (a) startup wall + peak RSS, (b) per-operation cost, (c) /metrics response time, (d) one command via the
// commands pack vs the raw OTel API. Sections (b)-(d) each run in a fresh child process.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startSinks } from './lib/sinks.mjs';
import { fixed, ratio } from './lib/stats.mjs';
import { benchStartup } from './startup.mjs';
import { benchEsmStartup, benchPackStartup } from './startup-packs.mjs';
import { benchService } from './service.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 10);
// Each after-first-export run lasts until both exports arrive (over 5 s where the span batch delay is the default).
const EXPORT_RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? 5);
const EXPORT_TIMEOUT_MS = 10_000;

function child(script) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [here(script)], { cwd: here('.'), maxBuffer: 16 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)));
    });
  });
}

const began = Date.now();
// Other work on a shared machine skews every figure; the README run line says how busy it was.
const loadAtStart = loadavg()[0];
const log = (m) => process.stderr.write(`bench: ${m}\n`);

log(`startup (${STARTUP_RUNS} runs per variant, then ${EXPORT_RUNS} after-first-export runs, interleaved)...`);
const sinks = await startSinks();
let startup;
let packStartup;
let esmStartup;
try {
  startup = await benchStartup(sinks, { runs: STARTUP_RUNS, exportRuns: EXPORT_RUNS, exportTimeoutMs: EXPORT_TIMEOUT_MS });
  log(`startup with packs (bank dependencies, ${STARTUP_RUNS} runs per variant, interleaved)...`);
  packStartup = await benchPackStartup(sinks, { runs: STARTUP_RUNS });
  log(`startup of an ESM-heavy app (lodash-es, every pack, ${STARTUP_RUNS} runs per variant, interleaved)...`);
  esmStartup = await benchEsmStartup(sinks, { runs: STARTUP_RUNS });
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
// The service benchmark needs wrk (Debian: apt-get install wrk); without it the section says so.
const hasWrk = await new Promise((resolve) => execFile('wrk', ['--version'], (error) => resolve(error === null || error.code !== 'ENOENT')));
let service;
if (hasWrk) {
  log('service under load (examples/bank, wrk, 2 interleaved rounds of 15 s per variant, 5 variants)...');
  service = await benchService({ durationS: Number(process.env.BENCH_SERVICE_SECONDS ?? 15), rounds: Number(process.env.BENCH_SERVICE_ROUNDS ?? 2) });
}
const seconds = Math.round((Date.now() - began) / 1000);

const cpu = cpus();
const loadAtEnd = loadavg()[0];
const bare = startup.find((s) => s.id === 'bare');
const mine = startup.find((s) => s.id === 'otelkit');
const nodesdk = startup.find((s) => s.id === 'nodesdk');
const auto = startup.find((s) => s.id === 'auto');
const addedWall = mine.wallMs - bare.wallMs;
const addedRss = mine.rssMiB - bare.rssMiB;
const addedExportRss = mine.exportRssMiB - bare.exportRssMiB;
const verdict = (ok) => (ok ? 'within budget' : 'over budget');
const added = (s, key) => s[key] - bare[key];
const ratioLine = (other, name) =>
  `otelkit / ${name}: wall ${ratio(mine.wallMs, other.wallMs)} (added ${ratio(addedWall, added(other, 'wallMs'))}), ` +
  `peak RSS ${ratio(mine.rssMiB, other.rssMiB)} (added ${ratio(addedRss, added(other, 'rssMiB'))}), ` +
  `peak RSS after first export ${ratio(mine.exportRssMiB, other.exportRssMiB)} (added ${ratio(addedExportRss, added(other, 'exportRssMiB'))}).`;
const exportCell = (s) => {
  const timedOut = s.exportTimeouts.length;
  return `${fixed(s.exportRssMiB, 1)} MiB${timedOut === 0 ? '' : ` (${timedOut} of ${s.exportRuns} runs timed out)`}`;
};
const seconds1 = (ms) => (ms === undefined ? 'n/a' : `${fixed(ms / 1000, 1)} s`);

const lines = [];
lines.push(`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in one run of \`pnpm bench\` (\`node bench/run.mjs\`, ${seconds} s)`);
lines.push(
  `on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}; 1-minute load average ${fixed(loadAtStart, 2)} at the start, ${fixed(loadAtEnd, 2)} at the end.`,
);
lines.push('The machine is shared, so absolute figures are noisy; every row is a median and the ratios come from the same run.');
lines.push('');
lines.push(`### Startup: trivial app, dual export on (median of ${STARTUP_RUNS} runs; after first export: median of ${EXPORT_RUNS} runs)`);
lines.push('');
lines.push('| command | wall to app code | added | peak RSS | added | peak RSS after first export | added | pull endpoint |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
for (const s of startup) {
  const isBare = s.id === 'bare';
  const plus = (value, digits, unit) => (isBare ? '' : `${value >= 0 ? '+' : ''}${fixed(value, digits)} ${unit}`);
  lines.push(
    `| \`${s.command}\` | ${fixed(s.wallMs)} ms | ${plus(added(s, 'wallMs'), 0, 'ms')} | ${fixed(s.rssMiB, 1)} MiB | ${plus(added(s, 'rssMiB'), 1, 'MiB')} | ${exportCell(s)} | ${plus(added(s, 'exportRssMiB'), 1, 'MiB')} | ${s.pull === undefined ? '' : s.pull === 200 ? 'answered 200' : `did not answer (${s.pull})`} |`,
  );
}
lines.push('');
lines.push(
  `otelkit's budget is ≤ +60 ms wall and ≤ +20 MiB peak RSS over bare node: measured +${fixed(addedWall)} ms (${verdict(addedWall <= 60)}) and +${fixed(addedRss, 1)} MiB (${verdict(addedRss <= 20)}).`,
);
lines.push(
  'The budget is judged on the startup columns, as the issue states it; otelkit imports its OTLP exporter modules only when the first batch leaves, so those columns do not include them, while NodeSDK and the auto-instrumentations entry load theirs at startup.',
);
lines.push(
  `After the first export, with the exporters loaded, otelkit's peak RSS is ${fixed(mine.exportRssMiB, 1)} MiB, ${addedExportRss >= 0 ? '+' : ''}${fixed(addedExportRss, 1)} MiB over bare node running the same app code, ${ratio(mine.exportRssMiB, nodesdk.exportRssMiB)} NodeSDK's ${fixed(nodesdk.exportRssMiB, 1)} MiB (added: ${ratio(addedExportRss, added(nodesdk, 'exportRssMiB'))}).`,
);
lines.push('');
lines.push(`Ratios, ${ratioLine(nodesdk, 'NodeSDK')}`);
lines.push('');
lines.push(`Ratios, ${ratioLine(auto, 'auto-instrumentations')}`);
lines.push('');
const lateTraces = mine.exportAfterMs !== undefined && mine.exportAfterMs >= 4500;
lines.push(
  `Both exports had arrived (median, from the app's first line) after ${seconds1(mine.exportAfterMs)} for otelkit, ${seconds1(nodesdk.exportAfterMs)} for NodeSDK and ${seconds1(auto.exportAfterMs)} for the auto-instrumentations entry` +
    (lateTraces ? "; otelkit's matches the SDK's default 5 s span batch delay, i.e. it did not apply `OTEL_BSP_SCHEDULE_DELAY=500`." : '.'),
);
{
  const base = packStartup.find((s) => s.id === 'bare');
  const all = packStartup.find((s) => s.id === 'otelkit');
  const upstream = packStartup.find((s) => s.id === 'auto');
  const plus = (v, d, unit) => `${v >= 0 ? '+' : ''}${fixed(v, d)} ${unit}`;
  lines.push('');
  lines.push(`### Startup with packs: \`examples/bank\`'s dependencies, every pack installed (median of ${STARTUP_RUNS} runs)`);
  lines.push('');
  lines.push('Same env as above; the entry (`node -e`, run in `examples/bank`) prints one line, so the added figures are the bootstrap and its packs (`startup-packs.mjs`).');
  lines.push('');
  lines.push(...addedTable(packStartup));
  lines.push('');
  const addW = all.wallMs - base.wallMs;
  const addR = all.rssMiB - base.rssMiB;
  lines.push(
    `With every pack: ${plus(addW, 0, 'ms')} (${verdict(addW <= 60)} of +60 ms) and ${plus(addR, 1, 'MiB')} (${verdict(addR <= 20)} of +20 MiB); ` +
      `the upstream auto-instrumentations entry adds ${plus(upstream.wallMs - base.wallMs, 0, 'ms')} and ${plus(upstream.rssMiB - base.rssMiB, 1, 'MiB')} (otelkit / upstream, added wall: ${ratio(addW, upstream.wallMs - base.wallMs)}).`,
  );
}
{
  lines.push('');
  lines.push(`### Startup of an ESM-heavy app: \`fixtures/esm-app\` imports all of lodash-es, about 640 ES modules (median of ${STARTUP_RUNS} runs)`);
  lines.push('');
  lines.push(
    'Same env; every pack is installed, none of whose targets (opossum, @nestjs/cqrs, the KurrentDB client) the app imports. ' +
      "The ESM loader hook wraps only the modules an instrumentation named through import-in-the-middle's `Hook()`, so lodash-es loads unwrapped.",
  );
  lines.push('');
  lines.push(...addedTable(esmStartup));
}
const timeouts = startup.filter((s) => s.exportTimeouts.length > 0);
if (timeouts.length > 0) {
  lines.push('');
  lines.push(
    `Timed out after ${EXPORT_TIMEOUT_MS / 1000} s waiting for a metrics and a trace export (RSS read anyway and included in the median): ` +
      timeouts.map((s) => `${s.id} ${s.exportTimeouts.length} of ${s.exportRuns} runs (received ${s.exportTimeouts.join('; ')})`).join(', ') +
      '.',
  );
}
lines.push('');
lines.push('### A service under load: `examples/bank`, deposits over 64 accounts, 16 connections (wrk, loopback)');
lines.push('');
if (service === undefined) {
  lines.push('Not measured in this run: `wrk` is not on PATH (Debian: `apt-get install wrk`).');
} else {
  const base = service.find((r) => r.id === 'bare');
  lines.push(
    "Medians of interleaved rounds (`service.mjs`); traces 100% sampled (unless the row says otherwise) and exported, metrics on both paths, to the local sinks. CPU is the server process's user+system time over the measured window divided by its requests; spans / request is what reached the sink in that window (a batch processor whose queue is full drops spans).",
  );
  lines.push('');
  lines.push('| variant | req/s (range) | × bare | p50 | p99 | p99 × bare | CPU ms / request | spans / request | peak RSS |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of service) {
    lines.push(
      `| ${r.command.startsWith('otelkit,') ? r.command : `\`${r.command}\``} | ${fixed(r.rps)} (${fixed(r.rpsRange[0])}–${fixed(r.rpsRange[1])}) | ${ratio(r.rps, base.rps)} | ${fixed(r.p50, 1)} ms | ${fixed(r.p99, 1)} ms | ${ratio(r.p99, base.p99)} | ${fixed(r.cpuMsPerRequest, 3)} | ${fixed(r.spansPerRequest, 2)} | ${fixed(r.rssMiB, 1)} MiB |`,
    );
  }
  const mineS = service.find((r) => r.id === 'otelkit');
  const autoS = service.find((r) => r.id === 'auto');
  lines.push('');
  lines.push(
    `Target: ≥ 0.85× bare throughput and p99 ≤ 1.25× bare with every pack, better than upstream. Measured: ${ratio(mineS.rps, base.rps)} throughput and ${ratio(mineS.p99, base.p99)} p99 (upstream ${ratio(autoS.rps, base.rps)} and ${ratio(autoS.p99, base.p99)}).`,
  );
}
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
lines.push('Uncompressed (`Accept-Encoding: identity`) for all three; the gzip columns are otelkit asked as Prometheus asks (`Accept-Encoding: gzip`), with the bytes on the wire.');
lines.push('');
lines.push('| series | otelkit pull endpoint | upstream `@opentelemetry/exporter-prometheus` | prom-client | otelkit / upstream | otelkit, gzip | bytes: text → gzip |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|');
const kib = (b) => `${fixed(b / 1024, 0)} KiB`;
for (const r of endpoint) {
  lines.push(
    `| ${r.series.toLocaleString('en')} | ${fixed(r.otelkit, 1)} | ${fixed(r.upstream, 1)} | ${fixed(r.promClient, 1)} | ${ratio(r.otelkit, r.upstream)} | ${fixed(r.otelkitGzip, 1)} | ${kib(r.otelkitBytes)} → ${kib(r.otelkitGzipBytes)} |`,
  );
}

const readmePath = here('README.md');
/** A startup table: each variant's wall and peak RSS, and what it adds over the `bare` row. */
function addedTable(rows) {
  const base = rows.find((s) => s.id === 'bare');
  const plus = (v, d, unit) => `${v >= 0 ? '+' : ''}${fixed(v, d)} ${unit}`;
  const out = ['| variant | wall to app code | added | peak RSS | added |', '|---|---:|---:|---:|---:|'];
  for (const s of rows) {
    const isBase = s.id === 'bare';
    out.push(`| ${s.command} | ${fixed(s.wallMs)} ms | ${isBase ? '' : plus(s.wallMs - base.wallMs, 0, 'ms')} | ${fixed(s.rssMiB, 1)} MiB | ${isBase ? '' : plus(s.rssMiB - base.rssMiB, 1, 'MiB')} |`);
  }
  return out;
}

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
