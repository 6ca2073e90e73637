import { OtelkitError } from '../errors.js';
import { isPackDefinition } from '../pack.js';
import { redactUrl } from '../redact-url.js';
import type { OtelkitOptions, OtlpExporterOptions } from '../types.js';
import type { ConfigLayer, OtlpLayer, TlsFileRef } from './layer.js';
import {
  BATCH_FIELDS,
  dropNone,
  isRejection,
  MAX_TIMER_MILLIS,
  METRICS_EXPORTERS,
  parseCompression,
  parsePrometheusNaming,
  parseInteger,
  parseLogLevel,
  parseNamespace,
  parsePrometheusAuth,
  parseProtocol,
  parseRatio,
  parseSamplerName,
  parseUrl,
  PROPAGATORS,
  TRACES_EXPORTERS,
  type Parsed,
} from './parse.js';

// Mistakes in code are programming errors: they throw at start() so they are caught in development, unlike
// env and file values, which may differ per deployment and only fall back.
function fail(path: string, value: unknown, expected: string): never {
  const shown = path.endsWith('endpoint') && typeof value === 'string' ? redactUrl(value) : value;
  throw new OtelkitError('OTELKIT_E_OPTION', `start({ ${path} }) got ${JSON.stringify(shown) ?? String(shown)}: expected ${expected}`);
}

function check<T>(path: string, value: unknown, parsed: Parsed<T>): T {
  if (isRejection(parsed)) fail(path, value, parsed.expected);
  return parsed;
}

function int(path: string, value: unknown, min: number, max?: number): number {
  if (typeof value !== 'number') fail(path, value, 'a number');
  return check(path, value, parseInteger(value, min, max));
}

function str(path: string, value: unknown): string {
  if (typeof value !== 'string') fail(path, value, 'a string');
  return value;
}

function list<T extends string>(path: string, value: unknown, known: readonly T[]): T[] {
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : fail(path, value, 'a name or an array of names');
  for (const item of items) if (typeof item !== 'string' || !(known as readonly string[]).includes(item)) fail(path, item, known.join(', '));
  return dropNone([...new Set(items as T[])]);
}

function otlp(path: string, o: OtlpExporterOptions | undefined): OtlpLayer | undefined {
  if (o === undefined) return undefined;
  const out: OtlpLayer = {};
  if (o.endpoint !== undefined) out.endpoint = check(`${path}.endpoint`, o.endpoint, parseUrl(str(`${path}.endpoint`, o.endpoint)));
  if (o.protocol !== undefined) out.protocol = check(`${path}.protocol`, o.protocol, parseProtocol(str(`${path}.protocol`, o.protocol)));
  if (o.timeoutMillis !== undefined) out.timeoutMillis = int(`${path}.timeoutMillis`, o.timeoutMillis, 1);
  if (o.compression !== undefined) out.compression = check(`${path}.compression`, o.compression, parseCompression(str(`${path}.compression`, o.compression)));
  if (o.headers !== undefined) {
    for (const [k, v] of Object.entries(o.headers)) if (typeof v !== 'string') fail(`${path}.headers.${k}`, v, 'a string');
    out.headers = { ...o.headers };
  }
  // The type is checked here; whether the file exists and holds PEM depends on the deployment, so that is a
  // logged OTELKIT_E_TLS problem like the env variables', not a throw.
  const file = (option: 'certificateFile' | 'clientKeyFile' | 'clientCertificateFile'): TlsFileRef | undefined => {
    const value = o[option];
    if (value === undefined) return undefined;
    if (str(`${path}.${option}`, value).trim() === '') fail(`${path}.${option}`, value, 'a file path');
    return { path: value.trim(), source: `start({ ${path}.${option} })` };
  };
  const certificate = file('certificateFile');
  if (certificate !== undefined) out.certificate = certificate;
  const clientKey = file('clientKeyFile');
  if (clientKey !== undefined) out.clientKey = clientKey;
  const clientCertificate = file('clientCertificateFile');
  if (clientCertificate !== undefined) out.clientCertificate = clientCertificate;
  return out;
}

/** Validates code options into a layer. Throws `OtelkitError` (`OTELKIT_E_OPTION`) on the first mistake. */
export function readCodeLayer(options: OtelkitOptions): ConfigLayer {
  const layer: ConfigLayer = {};
  if (typeof options !== 'object' || options === null) fail('', options, 'an options object');
  if (options.disabled !== undefined) layer.disabled = options.disabled === true;
  if (options.serviceName !== undefined) {
    if (str('serviceName', options.serviceName).trim() === '') fail('serviceName', options.serviceName, 'a non-empty string');
    layer.serviceName = options.serviceName;
  }
  if (options.resourceAttributes !== undefined) layer.resourceAttributes = { ...options.resourceAttributes };
  if (options.logLevel !== undefined) layer.logLevel = check('logLevel', options.logLevel, parseLogLevel(str('logLevel', options.logLevel)));

  const m = options.metrics;
  if (m !== undefined) {
    if (m.exporters !== undefined) layer.metricsExporters = list('metrics.exporters', m.exporters, METRICS_EXPORTERS);
    const mo = otlp('metrics.otlp', m.otlp);
    if (mo !== undefined) layer.metricsOtlp = mo;
    const p = m.prometheus;
    if (p?.host !== undefined) layer.prometheusHost = str('metrics.prometheus.host', p.host);
    if (p?.port !== undefined) layer.prometheusPort = int('metrics.prometheus.port', p.port, 0, 65535);
    if (p?.naming !== undefined) layer.prometheusNaming = check('metrics.prometheus.naming', p.naming, parsePrometheusNaming(str('metrics.prometheus.naming', p.naming)));
    if (p?.collectTimeoutMillis !== undefined) layer.prometheusCollectTimeoutMillis = int('metrics.prometheus.collectTimeoutMillis', p.collectTimeoutMillis, 1, MAX_TIMER_MILLIS);
    if (p?.auth !== undefined) {
      if (typeof p.auth === 'string') layer.prometheusAuth = check('metrics.prometheus.auth', '***', parsePrometheusAuth(p.auth));
      else if ((p.auth.type === 'basic' && p.auth.username !== '' && p.auth.password !== '') || (p.auth.type === 'bearer' && p.auth.token !== '')) layer.prometheusAuth = p.auth;
      else fail('metrics.prometheus.auth', '***', '{ type: "basic", username, password } or { type: "bearer", token }');
    }
    if (m.exportIntervalMillis !== undefined) layer.exportIntervalMillis = int('metrics.exportIntervalMillis', m.exportIntervalMillis, 1);
    if (m.exportTimeoutMillis !== undefined) layer.exportTimeoutMillis = int('metrics.exportTimeoutMillis', m.exportTimeoutMillis, 0);
    if (m.runtime !== undefined) layer.runtimeMetrics = m.runtime;
    if (m.cardinalityLimit !== undefined) layer.cardinalityLimit = int('metrics.cardinalityLimit', m.cardinalityLimit, 1);
    if (m.namespace !== undefined) layer.namespace = m.namespace === '' ? '' : check('metrics.namespace', m.namespace, parseNamespace(str('metrics.namespace', m.namespace)));
  }

  const t = options.traces;
  if (t !== undefined) {
    if (t.exporters !== undefined) layer.tracesExporters = list('traces.exporters', t.exporters, TRACES_EXPORTERS);
    const to = otlp('traces.otlp', t.otlp);
    if (to !== undefined) layer.tracesOtlp = to;
    const s = t.sampler;
    if (typeof s === 'string') layer.samplerName = check('traces.sampler', s, parseSamplerName(s));
    else if (s !== undefined && typeof s === 'object' && 'shouldSample' in s) layer.samplerInstance = s;
    else if (s !== undefined && typeof s === 'object' && 'name' in s) {
      layer.samplerName = check('traces.sampler.name', s.name, parseSamplerName(str('traces.sampler.name', s.name)));
      if (s.ratio !== undefined) layer.samplerRatio = check('traces.sampler.ratio', s.ratio, parseRatio(s.ratio));
    } else if (s !== undefined) fail('traces.sampler', s, 'a sampler name, { name, ratio } or a Sampler');
    const b = t.batch;
    if (b !== undefined) {
      for (const field of BATCH_FIELDS) {
        const value = b[field.key];
        if (value === undefined) continue;
        const path = `traces.batch.${field.key}`;
        if (typeof value !== 'number') fail(path, value, 'a number');
        (layer.batch ??= {})[field.key] = check(path, value, field.parse(value));
      }
      const { maxQueueSize, maxExportBatchSize } = layer.batch ?? {};
      if (maxQueueSize !== undefined && maxExportBatchSize !== undefined && maxExportBatchSize > maxQueueSize) {
        fail('traces.batch.maxExportBatchSize', maxExportBatchSize, `at most traces.batch.maxQueueSize (${maxQueueSize})`);
      }
      if (layer.batch?.maxQueueSize !== undefined) (layer.batchSources ??= {}).maxQueueSize = 'start({ traces.batch.maxQueueSize })';
      if (layer.batch?.maxExportBatchSize !== undefined) (layer.batchSources ??= {}).maxExportBatchSize = 'start({ traces.batch.maxExportBatchSize })';
    }
  }

  const pr = options.propagators;
  if (pr !== undefined) {
    if (Array.isArray(pr)) layer.propagators = list('propagators', pr, PROPAGATORS);
    else if (typeof pr === 'object' && 'inject' in pr && 'extract' in pr) layer.propagators = pr;
    else fail('propagators', pr, 'an array of propagator names or a TextMapPropagator');
  }

  if (options.packs !== undefined) {
    if (!Array.isArray(options.packs)) fail('packs', options.packs, 'an array of package names or pack definitions');
    for (const p of options.packs) if (typeof p !== 'string' && !isPackDefinition(p)) fail('packs', p, 'a package name or the result of definePack()');
    layer.packs = [...options.packs];
  }
  if (options.disabledPacks !== undefined) layer.disabledPacks = options.disabledPacks.map((p) => str('disabledPacks', p));
  if (options.packOptions !== undefined) layer.packOptions = { ...options.packOptions };
  if (options.strict !== undefined) layer.strict = options.strict;
  if (options.shutdownTimeoutMillis !== undefined) layer.shutdownTimeoutMillis = int('shutdownTimeoutMillis', options.shutdownTimeoutMillis, 1);
  return layer;
}
