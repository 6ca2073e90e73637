// Database client cost: ops/s of pg (pool.query, 8 in flight), ioredis and node-redis (GET, 16 in flight) against a
// real local PostgreSQL and redis-server, in one process per variant: bare (no telemetry), the @otelkit/db pack, and
// the upstream instrumentations (@opentelemetry/instrumentation-pg, -ioredis, -redis, stable semconv). Pack and
// upstream get the same SDK: a MeterProvider with a cumulative reader, a TracerProvider sampling 100% into a
// BatchSpanProcessor whose exporter drops the batch. Operations run inside a parent span, as in a service's request
// (the upstream ioredis and pg instrumentations record nothing without one by default). Variants run interleaved,
// `--rounds` times; medians.
// Usage: node bench/db.mjs [--rounds 3] [--pg-ops 20000] [--redis-ops 40000]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    variant: { type: 'string' }, rounds: { type: 'string', default: '3' }, 'pg-ops': { type: 'string', default: '20000' },
    'redis-ops': { type: 'string', default: '40000' }, pg: { type: 'string' }, redis: { type: 'string' },
  },
});

async function worker(variant, pgUrl, redisUrl, pgOps, redisOps) {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  let shutdown = async () => {};
  let inParent = (fn) => fn();
  if (variant !== 'bare') {
    const api = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
    class Reader extends MetricReader { async onForceFlush() {} async onShutdown() {} }
    const reader = new Reader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
    const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.metrics.setGlobalMeterProvider(meterProvider);
    api.trace.setGlobalTracerProvider(tracerProvider);
    inParent = (fn) => {
      const parent = tracerProvider.getTracer('bench').startSpan('request');
      return api.context.with(api.trace.setSpan(api.context.active(), parent), fn).finally(() => parent.end());
    };
    if (variant === 'pack') {
      const { default: pack } = await import('@otelkit/db/pack');
      const logger = { error() {}, warn() {}, info() {}, debug() {} };
      const handle = await pack.setup({ meter: meterProvider.getMeter('@otelkit/db'), tracer: tracerProvider.getTracer('@otelkit/db'), namespace: '', options: {}, logger });
      shutdown = async () => { await handle?.dispose(); await reader.collect(); };
    } else {
      process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'database';
      const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
      const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
      const { IORedisInstrumentation } = await import('@opentelemetry/instrumentation-ioredis');
      const { RedisInstrumentation } = await import('@opentelemetry/instrumentation-redis');
      registerInstrumentations({ instrumentations: [new PgInstrumentation(), new IORedisInstrumentation(), new RedisInstrumentation()], meterProvider, tracerProvider });
      shutdown = async () => { await reader.collect(); };
    }
  }
  // Required after the instrumentations are in place, as an app's modules load after --import.
  const pg = require('pg');
  const { Redis } = require('ioredis');
  const { createClient } = require('redis');
  const run = async (total, inFlight, op) => {
    let next = 0;
    const lane = async () => { while (next < total) { next++; await op(); } };
    const started = performance.now();
    await inParent(() => Promise.all(Array.from({ length: inFlight }, lane)));
    return Math.round(total / ((performance.now() - started) / 1000));
  };
  const pool = new pg.Pool({ connectionString: pgUrl, max: 8 });
  const ioredis = new Redis(redisUrl);
  const nodeRedis = createClient({ url: redisUrl });
  await nodeRedis.connect();
  await ioredis.set('bench:key', 'value');
  // Warm-up: connections open, JIT settled.
  await run(2000, 8, () => pool.query('SELECT $1::int AS n', [1]));
  await run(4000, 16, () => ioredis.get('bench:key'));
  await run(4000, 16, () => nodeRedis.get('bench:key'));
  const result = {
    pg: await run(pgOps, 8, () => pool.query('SELECT $1::int AS n', [1])),
    ioredis: await run(redisOps, 16, () => ioredis.get('bench:key')),
    'node-redis': await run(redisOps, 16, () => nodeRedis.get('bench:key')),
  };
  await pool.end();
  ioredis.disconnect();
  await nodeRedis.close();
  await shutdown();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function child(variant, pgUrl, redisUrl) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--variant', variant, '--pg', pgUrl, '--redis', redisUrl, '--pg-ops', values['pg-ops'], '--redis-ops', values['redis-ops']], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`${variant} exited ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (values.variant !== undefined) {
  await worker(values.variant, values.pg, values.redis, Number(values['pg-ops']), Number(values['redis-ops']));
} else {
  const { startPostgres } = await import('../test/support/postgres.ts');
  const { startRedis } = await import('../test/support/redis.ts');
  const pgServer = await startPostgres();
  const redisServer = await startRedis();
  const variants = ['bare', 'pack', 'upstream'];
  const results = Object.fromEntries(variants.map((v) => [v, []]));
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const v of variants) results[v].push(await child(v, pgServer.url, redisServer.url));
    }
  } finally {
    await redisServer.stop();
    await pgServer.stop();
  }
  const rows = ['pg', 'ioredis', 'node-redis'].map((client) => {
    const m = Object.fromEntries(variants.map((v) => [v, median(results[v].map((r) => r[client]))]));
    return `| ${client} | ${m.bare} | ${m.pack} (${(m.pack / m.bare).toFixed(2)}×) | ${m.upstream} (${(m.upstream / m.bare).toFixed(2)}×) |`;
  });
  process.stdout.write(`| client | bare ops/s | @otelkit/db ops/s (× bare) | upstream ops/s (× bare) |\n|---|---:|---:|---:|\n${rows.join('\n')}\n`);
}
