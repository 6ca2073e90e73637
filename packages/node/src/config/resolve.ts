import type { AttributeValue } from '@opentelemetry/api';
import { findAppPackageJson, readPackageJson } from '../app-package.js';
import type { ConfigProblem } from '../errors.js';
import type { OtelkitOptions, OtlpProtocol } from '../types.js';
import { readCodeLayer } from './code.js';
import { readEnvLayer, type Env } from './env.js';
import { readFileLayer } from './file.js';
import type { BatchLayer, ConfigLayer, OtlpLayer, TlsFileRef } from './layer.js';
import { BATCH_FIELDS, type BatchField } from './parse.js';
import type { ResolvedBatch, ResolvedConfig, ResolvedOtlp } from './resolved.js';
import { resolveTls } from './tls.js';

/** Inputs besides code options; the defaults are the real process. Tests pass their own. */
export interface ResolveContext {
  readonly env?: Env;
  readonly cwd?: string;
  /** The entry script (`process.argv[1]`), used to find the app's package.json. */
  readonly entry?: string | undefined;
}

const DEFAULT_ENDPOINT: Readonly<Record<OtlpProtocol, string>> = {
  grpc: 'http://localhost:4317',
  'http/protobuf': 'http://localhost:4318',
  'http/json': 'http://localhost:4318',
};

/** Last defined value wins: layers are given lowest precedence first. */
function pick<K extends keyof ConfigLayer>(layers: readonly ConfigLayer[], key: K): ConfigLayer[K] | undefined {
  let value: ConfigLayer[K] | undefined;
  for (const layer of layers) if (layer[key] !== undefined) value = layer[key];
  return value;
}

interface OtlpTlsRefs {
  readonly certificate: TlsFileRef | undefined;
  readonly clientKey: TlsFileRef | undefined;
  readonly clientCertificate: TlsFileRef | undefined;
}

function resolveOtlp(
  layers: readonly ConfigLayer[],
  signalKey: 'metricsOtlp' | 'tracesOtlp',
  signalPath: 'metrics' | 'traces',
  defaultProtocol: OtlpProtocol,
): { otlp: Omit<ResolvedOtlp, 'tls'>; refs: OtlpTlsRefs } {
  const general = layers.map((l) => l.otlp ?? {});
  const specific = layers.map((l) => l[signalKey] ?? {});
  const field = <K extends keyof OtlpLayer>(key: K): OtlpLayer[K] | undefined => {
    let v: OtlpLayer[K] | undefined;
    for (const l of general) if (l[key] !== undefined) v = l[key];
    // Signal-specific settings beat general ones from any source, as the OTLP exporter spec says.
    for (const l of specific) if (l[key] !== undefined) v = l[key];
    return v;
  };
  const protocol = field('protocol') ?? defaultProtocol;
  const headers: Record<string, string> = {};
  for (const l of general) Object.assign(headers, l.headers);
  for (const l of specific) Object.assign(headers, l.headers);
  let endpoint = field('endpoint');
  if (endpoint === undefined) {
    const base = field('baseEndpoint') ?? DEFAULT_ENDPOINT[protocol];
    endpoint = protocol === 'grpc' ? base : `${base.replace(/\/+$/, '')}/v1/${signalPath}`;
  }
  return {
    otlp: {
      endpoint,
      protocol,
      headers: Object.freeze(headers),
      timeoutMillis: field('timeoutMillis') ?? 10_000,
      compression: field('compression') ?? 'none',
    },
    // Each file on its own, as the spec has it: a signal's CA can join the general client certificate.
    refs: { certificate: field('certificate'), clientKey: field('clientKey'), clientCertificate: field('clientCertificate') },
  };
}

/**
 * Each batch setting from the highest-precedence source stating it. A batch size above the queue size is lowered
 * to it, as the SDK would do with a warning of its own; otelkit reports it once, naming the source to fix.
 */
function resolveBatch(layers: readonly ConfigLayer[], problems: ConfigProblem[]): ResolvedBatch {
  const from = (key: keyof BatchLayer): number => layers.findLastIndex((l) => l.batch?.[key] !== undefined);
  const value = (field: BatchField): number => layers[from(field.key)]?.batch?.[field.key] ?? field.fallback;
  const v = Object.fromEntries(BATCH_FIELDS.map((f) => [f.key, value(f)])) as Record<keyof BatchLayer, number>;
  const queue = v.maxQueueSize;
  const batch = v.maxExportBatchSize;
  const resolved = { ...v, maxExportBatchSize: Math.min(batch, queue) };
  if (batch <= queue) return resolved;
  // Layers are [env, file, code]; code options are checked against each other in readCodeLayer.
  const code = (i: number): ConfigProblem['code'] => (i === 0 ? 'OTELKIT_E_ENV_VALUE' : 'OTELKIT_E_FILE_VALUE');
  const batchFrom = from('maxExportBatchSize');
  const queueFrom = from('maxQueueSize');
  const batchSource = layers[batchFrom]?.batchSources?.maxExportBatchSize;
  const queueSource = layers[queueFrom]?.batchSources?.maxQueueSize;
  if (batchFrom === 0 || batchFrom === 1) {
    problems.push({ code: code(batchFrom), source: batchSource ?? 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', value: String(batch), expected: `at most the max queue size (${queue})`, fallback: `using ${queue}` });
  } else if (batchFrom === 2 && (queueFrom === 0 || queueFrom === 1)) {
    problems.push({
      code: code(queueFrom),
      source: queueSource ?? 'OTEL_BSP_MAX_QUEUE_SIZE',
      value: String(queue),
      expected: `at least traces.batch.maxExportBatchSize (${batch}) given to start()`,
      fallback: `the batch size is lowered to ${queue}`,
    });
  }
  return resolved;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    // Samplers and propagators given in code are live objects owned by the app; leave them alone.
    const plain = Object.getPrototypeOf(value) === Object.prototype || Array.isArray(value);
    if (!plain) return value;
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Turns env + `OTEL_CONFIG_FILE` + code options into one frozen config. Precedence: code > file > env > defaults.
 * Invalid code options throw `OtelkitError`; invalid env and file values are collected in `problems` and fall back.
 * This is the only place otelkit reads the environment.
 */
export function resolveConfig(options: OtelkitOptions = {}, context: ResolveContext = {}): ResolvedConfig {
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  const entry = 'entry' in context ? context.entry : process.argv[1];

  const code = readCodeLayer(options);
  const fromEnv = readEnvLayer(env);
  const problems: ConfigProblem[] = [...fromEnv.problems];
  const configFile = options.configFile ?? fromEnv.configFile;
  let file: ConfigLayer = {};
  if (configFile !== undefined && configFile !== '') {
    const read = readFileLayer(configFile, env);
    file = read.layer;
    problems.push(...read.problems);
  }
  const layers: readonly ConfigLayer[] = [fromEnv.layer, file, code];

  const appPackageJson = findAppPackageJson(entry, cwd);
  let serviceName = pick(layers, 'serviceName');
  let serviceNameSource: ResolvedConfig['serviceNameSource'] =
    code.serviceName !== undefined ? 'code' : file.serviceName !== undefined ? 'file' : 'env';
  const resourceAttributes = Object.assign({}, ...layers.map((l) => l.resourceAttributes ?? {})) as Record<string, AttributeValue>;
  if (serviceName === undefined && typeof resourceAttributes['service.name'] === 'string') serviceName = resourceAttributes['service.name'];
  if (serviceName === undefined && appPackageJson !== undefined) {
    const name = readPackageJson(appPackageJson)?.name;
    if (name !== undefined && name !== '') {
      serviceName = name;
      serviceNameSource = 'package.json';
    }
  }
  if (serviceName === undefined) {
    serviceName = 'unknown_service:node';
    serviceNameSource = 'default';
  }
  delete resourceAttributes['service.name'];

  let metricsExporters = pick(layers, 'metricsExporters') ?? ['otlp', 'prometheus'];
  const prometheusAuth = pick(layers, 'prometheusAuth');
  if (prometheusAuth === undefined && layers.some((l) => l.prometheusAuthInvalid === true)) {
    metricsExporters = metricsExporters.filter((e) => e !== 'prometheus');
    if (metricsExporters.length === 0) metricsExporters = ['none'];
  }
  let tracesExporters = pick(layers, 'tracesExporters') ?? ['otlp'];
  const metricsOtlp = resolveOtlp(layers, 'metricsOtlp', 'metrics', 'grpc');
  const tracesOtlp = resolveOtlp(layers, 'tracesOtlp', 'traces', 'http/protobuf');
  const tls = resolveTls(
    [
      { signal: 'metrics', enabled: metricsExporters.includes('otlp'), endpoint: metricsOtlp.otlp.endpoint, ...metricsOtlp.refs },
      { signal: 'traces', enabled: tracesExporters.includes('otlp'), endpoint: tracesOtlp.otlp.endpoint, ...tracesOtlp.refs },
    ],
    layers.flatMap((l) =>
      [l.otlp, l.metricsOtlp, l.tracesOtlp].flatMap((o) =>
        (['certificate', 'clientKey', 'clientCertificate'] as const).flatMap((kind) => (o?.[kind] === undefined ? [] : [[kind, o[kind]] as const])),
      ),
    ),
    cwd,
  );
  problems.push(...tls.problems);
  if (tls.disabled.has('metrics')) {
    metricsExporters = metricsExporters.filter((e) => e !== 'otlp');
    if (metricsExporters.length === 0) metricsExporters = ['none'];
  }
  if (tls.disabled.has('traces')) {
    tracesExporters = tracesExporters.filter((e) => e !== 'otlp');
    if (tracesExporters.length === 0) tracesExporters = ['none'];
  }
  const withTls = (otlp: Omit<ResolvedOtlp, 'tls'>, signal: 'metrics' | 'traces'): ResolvedOtlp => {
    const material = tls.tls[signal];
    return Object.freeze(material === undefined ? { ...otlp } : { ...otlp, tls: material });
  };
  const samplerInstance = pick(layers, 'samplerInstance');
  const samplerName = pick(layers, 'samplerName') ?? 'parentbased_always_on';

  const packsExplicit = pick(layers, 'packs');
  const config: ResolvedConfig = {
    disabled: pick(layers, 'disabled') ?? false,
    serviceName,
    serviceNameSource,
    resourceAttributes,
    metrics: {
      exporters: metricsExporters,
      otlp: withTls(metricsOtlp.otlp, 'metrics'),
      prometheus: {
        host: pick(layers, 'prometheusHost') ?? '0.0.0.0',
        port: pick(layers, 'prometheusPort') ?? 9464,
        auth: prometheusAuth,
        collectTimeoutMillis: pick(layers, 'prometheusCollectTimeoutMillis') ?? 5000,
        naming: pick(layers, 'prometheusNaming') ?? 'collector',
      },
      exportIntervalMillis: pick(layers, 'exportIntervalMillis') ?? 60_000,
      exportTimeoutMillis: pick(layers, 'exportTimeoutMillis') ?? 30_000,
      runtime: pick(layers, 'runtimeMetrics') ?? true,
      cardinalityLimit: pick(layers, 'cardinalityLimit') ?? 2000,
      namespace: pick(layers, 'namespace') ?? '',
    },
    traces: {
      exporters: tracesExporters,
      otlp: withTls(tracesOtlp.otlp, 'traces'),
      sampler:
        samplerInstance !== undefined
          ? { kind: 'custom', sampler: samplerInstance }
          : { kind: 'named', name: samplerName, ratio: pick(layers, 'samplerRatio') ?? 1 },
      batch: resolveBatch(layers, problems),
    },
    propagators: pick(layers, 'propagators') ?? ['tracecontext', 'baggage'],
    logLevel: pick(layers, 'logLevel') ?? 'info',
    packs: {
      explicit: packsExplicit,
      allow: pick(layers, 'packsAllow') ?? 'all',
      disabled: pick(layers, 'disabledPacks') ?? [],
      options: pick(layers, 'packOptions') ?? {},
    },
    strict: pick(layers, 'strict') ?? false,
    shutdownTimeoutMillis: pick(layers, 'shutdownTimeoutMillis') ?? 5000,
    configFile: configFile === '' ? undefined : configFile,
    appPackageJson,
    problems,
  };
  return deepFreeze(config);
}
