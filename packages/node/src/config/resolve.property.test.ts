// Properties of resolveConfig over generated env and config-file values: it never throws for them, each bad value
// is exactly one problem naming its variable or file key, and whatever the input the resolved config is valid.
// Fixed seed and bounded runs: the same cases every run, a second or two in all.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { ERROR_CODES, formatProblem } from '../errors.js';
import { envCases, envValueSpaces } from './__fixtures__/env-values.js';
import { ENV_VARS } from './env.js';
import { MAX_TIMER_MILLIS, METRICS_EXPORTERS, PROPAGATORS, TRACES_EXPORTERS } from './parse.js';
import { resolveConfig } from './resolve.js';
import type { ResolvedConfig, ResolvedOtlp } from './resolved.js';

const SEED = 20_261_202;
const RUNS = 150;

const dir = mkdtempSync(join(tmpdir(), 'otelkit-config-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'props-app' }));
const files = { emptyConfigFile: join(dir, 'empty.yaml'), notPem: join(dir, 'not-pem.txt'), missingDir: join(dir, 'missing') };
writeFileSync(files.emptyConfigFile, 'file_format: "1.0"\n');
writeFileSync(files.notPem, 'not a certificate\n');
mkdirSync(join(dir, 'docs'));
const spaces = envValueSpaces(files);

function resolve(env: Record<string, string>): ResolvedConfig {
  return resolveConfig({}, { env, cwd: dir, entry: undefined });
}

const isInt = (n: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): boolean => Number.isSafeInteger(n) && (n as number) >= min && (n as number) <= max;

function checkOtlp(o: ResolvedOtlp, path: string): string[] {
  const errors: string[] = [];
  const url = URL.canParse(o.endpoint) ? new URL(o.endpoint) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) errors.push(`${path}.endpoint ${o.endpoint}`);
  if (!['grpc', 'http/protobuf', 'http/json'].includes(o.protocol)) errors.push(`${path}.protocol`);
  if (!isInt(o.timeoutMillis, 1)) errors.push(`${path}.timeoutMillis`);
  if (o.compression !== 'gzip' && o.compression !== 'none') errors.push(`${path}.compression`);
  if (Object.entries(o.headers).some(([k, v]) => k === '' || typeof v !== 'string')) errors.push(`${path}.headers`);
  if (o.tls !== undefined && url?.protocol !== 'https:') errors.push(`${path}.tls without https`);
  return errors;
}

function checkNames(values: readonly string[], known: readonly string[], path: string): string[] {
  const ok = values.length > 0 && values.every((v) => known.includes(v)) && new Set(values).size === values.length && (!values.includes('none') || values.length === 1);
  return ok ? [] : [`${path} ${JSON.stringify(values)}`];
}

/** Every way a resolved config could be invalid; empty when it is valid. */
function invalidities(c: ResolvedConfig): string[] {
  const e: string[] = [];
  if (!Object.isFrozen(c) || !Object.isFrozen(c.metrics) || !Object.isFrozen(c.traces.batch)) e.push('not frozen');
  if (typeof c.serviceName !== 'string' || c.serviceName.trim() === '') e.push('serviceName');
  if ('service.name' in c.resourceAttributes) e.push('service.name left in resourceAttributes');
  e.push(...checkNames(c.metrics.exporters, METRICS_EXPORTERS, 'metrics.exporters'), ...checkNames(c.traces.exporters, TRACES_EXPORTERS, 'traces.exporters'));
  e.push(...checkOtlp(c.metrics.otlp, 'metrics.otlp'), ...checkOtlp(c.traces.otlp, 'traces.otlp'));
  if (!isInt(c.metrics.prometheus.port, 0, 65535) || typeof c.metrics.prometheus.host !== 'string') e.push('prometheus');
  if (!isInt(c.metrics.exportIntervalMillis, 1) || !isInt(c.metrics.exportTimeoutMillis, 0)) e.push('metric export interval/timeout');
  if (!isInt(c.metrics.cardinalityLimit, 1)) e.push('cardinalityLimit');
  if (c.metrics.namespace !== '' && !/^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/.test(c.metrics.namespace)) e.push('namespace');
  const s = c.traces.sampler;
  if (s.kind !== 'named' || !Number.isFinite(s.ratio) || s.ratio < 0 || s.ratio > 1) e.push('sampler');
  const b = c.traces.batch;
  if (!isInt(b.scheduleDelayMillis, 0, MAX_TIMER_MILLIS) || !isInt(b.exportTimeoutMillis, 1, MAX_TIMER_MILLIS)) e.push('batch timers');
  if (!isInt(b.maxQueueSize, 1) || !isInt(b.maxExportBatchSize, 1, b.maxQueueSize)) e.push('batch sizes');
  if (!Array.isArray(c.propagators) || checkNames(c.propagators as string[], PROPAGATORS, 'propagators').length > 0) e.push('propagators');
  if (!['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'].includes(c.logLevel)) e.push('logLevel');
  if (!isInt(c.shutdownTimeoutMillis, 1) || typeof c.strict !== 'boolean' || typeof c.disabled !== 'boolean') e.push('shutdown/strict/disabled');
  for (const p of c.problems) {
    // One problem is one log line with a catalogued code.
    if (!(p.code in ERROR_CODES) || p.source === '' || /[\r\n]/.test(formatProblem(p))) e.push(`problem ${JSON.stringify(p)}`);
  }
  return e;
}

describe('resolveConfig over generated environments', () => {
  it('has a value space for every variable otelkit reads', () => {
    expect(Object.keys(spaces).sort()).toEqual([...ENV_VARS].sort());
  });

  it('each bad value is exactly one problem naming its variable; good values are none; the config is valid', () => {
    fc.assert(
      fc.property(envCases(spaces), (cases) => {
        const c = resolve(Object.fromEntries(cases.map(([name, value]) => [name, value])));
        const bad = cases.filter(([, , isBad]) => isBad).map(([name]) => name);
        expect(invalidities(c)).toEqual([]);
        expect(c.problems.map((p) => p.source).sort()).toEqual([...bad].sort());
        for (const p of c.problems) expect(formatProblem(p).startsWith(`${p.source}=`)).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never throws and stays valid for any strings at all, including blanks, control characters and unicode', () => {
    const anyValue = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('', ' ', '\n', '=', ',', '%', 'none', '0', '-1', 'true'));
    const env = fc.dictionary(fc.constantFrom(...ENV_VARS), anyValue, { maxKeys: 12 });
    fc.assert(
      fc.property(env, (values) => {
        // A random OTEL_CONFIG_FILE would read random paths; a generated file has its own property below.
        const { OTEL_CONFIG_FILE: _file, ...rest } = values;
        expect(invalidities(resolve(rest))).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

/** Scalar keys of the config file subset: where they go, usable values, unusable values. */
interface FileKey {
  readonly path: readonly (string | number)[];
  readonly good: fc.Arbitrary<unknown>;
  readonly bad: fc.Arbitrary<unknown>;
}

const reader = ['meter_provider', 'readers', 0, 'periodic'];
const grpc = [...reader, 'exporter', 'otlp_grpc'];
const batch = ['tracer_provider', 'processors', 0, 'batch'];
const http = [...batch, 'exporter', 'otlp_http'];
const notScalar = fc.constantFrom<unknown>({ a: 1 }, [1, 2]);
const posInt = (min: number, max = 1_000_000): FileKey['good'] => fc.oneof(fc.integer({ min, max }), fc.integer({ min, max }).map(String));
const notPosInt = (min: number): FileKey['bad'] => fc.oneof(fc.integer({ min: -1000, max: min - 1 }), fc.constantFrom('soon', 1.5, '1e3', true), notScalar);

const FILE_KEYS: readonly FileKey[] = [
  { path: ['log_level'], good: fc.constantFrom('info', 'debug', 'WARN'), bad: fc.oneof(fc.constantFrom('loud', 3, false), notScalar) },
  { path: ['disabled'], good: fc.constantFrom(false, 'false'), bad: fc.constantFrom('no', 0, 'yes') },
  { path: [...reader, 'interval'], good: posInt(1), bad: notPosInt(1) },
  { path: [...reader, 'timeout'], good: posInt(0), bad: notPosInt(0) },
  { path: [...grpc, 'endpoint'], good: fc.constantFrom('http://c:4317', 'https://c:4317'), bad: fc.oneof(fc.constantFrom('c:4317', 'tcp://c', 42), notScalar) },
  { path: [...grpc, 'timeout'], good: posInt(1), bad: notPosInt(1) },
  { path: [...grpc, 'compression'], good: fc.constantFrom('gzip', 'none'), bad: fc.constantFrom('zstd', 1, true) },
  { path: [...grpc, 'insecure'], good: fc.constantFrom(true, false, 'true'), bad: fc.constantFrom('maybe', 2) },
  { path: [...grpc, 'tls', 'certificate_file'], good: fc.constant(undefined), bad: fc.constantFrom(files.notPem, join(files.missingDir, 'ca.pem')) },
  { path: [...http, 'endpoint'], good: fc.constantFrom('http://c:4318/v1/traces'), bad: fc.constantFrom('c:4318', 'mailto:x@y') },
  { path: [...http, 'client_key_file'], good: fc.constant(undefined), bad: fc.constantFrom(files.notPem, join(files.missingDir, 'key.pem')) },
  { path: [...batch, 'schedule_delay'], good: posInt(0), bad: notPosInt(0) },
  { path: [...batch, 'export_timeout'], good: posInt(1), bad: notPosInt(1) },
  { path: [...batch, 'max_queue_size'], good: posInt(512), bad: notPosInt(1) },
  { path: [...batch, 'max_export_batch_size'], good: posInt(1, 512), bad: notPosInt(1) },
  { path: ['tracer_provider', 'sampler', 'trace_id_ratio_based', 'ratio'], good: fc.double({ min: 0, max: 1, noNaN: true }), bad: fc.constantFrom(1.5, -1, 'half') },
  { path: ['resource', 'attributes_list'], good: fc.constantFrom('team=core', 'a=1,b=2'), bad: fc.constantFrom('broken', '=x') },
  { path: ['propagator', 'composite_list'], good: fc.constantFrom('tracecontext', 'baggage,b3'), bad: fc.constantFrom('xray', 'tracecontext,ottrace') },
];

const sourceOf = (path: readonly (string | number)[]): string =>
  `OTEL_CONFIG_FILE ${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')}`;

function setIn(doc: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = doc;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else node = (node[key] ??= typeof path[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
  });
}

let fileCount = 0;
function writeDoc(doc: unknown): string {
  const path = join(dir, 'docs', `${fileCount++}.yaml`);
  writeFileSync(path, typeof doc === 'string' ? doc : stringify(doc));
  return path;
}

describe('resolveConfig over generated config files', () => {
  it('each bad value is exactly one problem naming its key; the config is valid', () => {
    const cases = fc.tuple(
      ...FILE_KEYS.map((k) =>
        fc.oneof(
          { weight: 2, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: k.good.map((v) => ({ key: k, value: v, bad: false })) },
          { weight: 1, arbitrary: k.bad.map((v) => ({ key: k, value: v, bad: true })) },
        ),
      ),
    );
    fc.assert(
      fc.property(cases, (chosen) => {
        const set = chosen.filter((c): c is NonNullable<typeof c> => c !== undefined && c.value !== undefined);
        const doc: Record<string, unknown> = { file_format: '1.0' };
        // Readers and processors need an exporter to exist; otlp_grpc/otlp_http keys land in these.
        setIn(doc, [...grpc, 'endpoint'], 'http://c:4317');
        setIn(doc, [...http, 'endpoint'], 'http://c:4318/v1/traces');
        for (const c of set) setIn(doc, c.key.path, c.value);
        const config = resolve({ OTEL_CONFIG_FILE: writeDoc(doc) });
        expect(invalidities(config)).toEqual([]);
        const bad = set.filter((c) => c.bad).map((c) => sourceOf(c.key.path));
        expect(config.problems.map((p) => p.source).sort()).toEqual(bad.sort());
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never throws and stays valid for arbitrary YAML documents and text', () => {
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(
          fc.oneof(fc.constantFrom('file_format', 'meter_provider', 'tracer_provider', 'readers', 'processors', 'periodic', 'pull', 'batch', 'exporter', 'otlp', 'otlp_grpc', 'otlp_http', 'tls', 'endpoint', 'headers', 'sampler', 'parent_based', 'root', 'resource', 'attributes', 'propagator', 'composite', 'prometheus'), fc.string({ maxLength: 6 })),
          tie('node'),
          { maxKeys: 4 },
        ),
      ),
    }));
    const input = fc.oneof({ weight: 4, arbitrary: tree.node }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });
    // Whatever the file holds, otelkit's lines are the only output: no parser warning of its own on stderr.
    const warnings = vi.spyOn(process, 'emitWarning');
    try {
      fc.assert(
        fc.property(input, (doc) => {
          const config = resolve({ OTEL_CONFIG_FILE: writeDoc(doc) });
          expect(invalidities(config)).toEqual([]);
        }),
        { seed: SEED, numRuns: RUNS },
      );
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });
});
