import type { ConfigProblem } from '../errors.js';
import { redact } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import type { ConfigLayer, OtlpLayer, TlsFileRef } from './layer.js';
import {
  BATCH_FIELDS,
  dropNone,
  isRejection,
  MAX_TIMER_MILLIS,
  METRICS_EXPORTERS,
  parseBoolean,
  parseCompression,
  parsePrometheusNaming,
  parseInteger,
  parseKeyValues,
  parseLogLevel,
  parseNameList,
  parseNamespace,
  parsePrometheusAuth,
  parseProtocol,
  parseRatio,
  parseSamplerName,
  parseUrl,
  PROPAGATORS,
  splitList,
  TRACES_EXPORTERS,
  type Parsed,
} from './parse.js';

/** Environment variables as Node gives them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Every variable otelkit reads, for docs and `otelkit doctor`. */
export const ENV_VARS: readonly string[] = [
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_CONFIG_FILE',
  'OTEL_LOG_LEVEL',
  'OTEL_METRICS_EXPORTER',
  'OTEL_TRACES_EXPORTER',
  ...['', 'METRICS_', 'TRACES_'].flatMap((s) =>
    ['ENDPOINT', 'PROTOCOL', 'HEADERS', 'TIMEOUT', 'COMPRESSION', 'CERTIFICATE', 'CLIENT_KEY', 'CLIENT_CERTIFICATE', 'INSECURE'].map(
      (k) => `OTEL_EXPORTER_OTLP_${s}${k}`,
    ),
  ),
  'OTEL_EXPORTER_PROMETHEUS_HOST',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_METRIC_EXPORT_TIMEOUT',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  ...BATCH_FIELDS.map((f) => f.env),
  'OTEL_PROPAGATORS',
  'OTELKIT_PACKS',
  'OTELKIT_DISABLED_PACKS',
  'OTELKIT_STRICT',
  'OTELKIT_SHUTDOWN_TIMEOUT_MS',
  'OTELKIT_METRIC_NAMESPACE',
  'OTELKIT_PROMETHEUS_AUTH',
  'OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS',
  'OTELKIT_PROMETHEUS_NAMING',
  'OTELKIT_RUNTIME_METRICS',
  'OTELKIT_CARDINALITY_LIMIT',
];

// Values of these never appear in log lines.
const SECRET_VARS = new Set(['OTELKIT_PROMETHEUS_AUTH']);

/** Reads otelkit's variables from `env` into a layer; every unusable value becomes one problem. */
export function readEnvLayer(env: Env): { layer: ConfigLayer; problems: ConfigProblem[]; configFile: string | undefined } {
  const problems: ConfigProblem[] = [];
  const layer: ConfigLayer = {};
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const reject = (name: string, raw: string, expected: string, fallback: string): void => {
    const value = SECRET_VARS.has(name)
      ? '***'
      : name.endsWith('HEADERS')
        ? raw.replace(/=([^,]*)/g, '=***')
        : name.endsWith('ENDPOINT')
          ? redactUrl(raw)
          : redact(name, raw);
    problems.push({ code: 'OTELKIT_E_ENV_VALUE', source: name, value, expected, fallback });
  };
  /** Parses `name` when set; on rejection logs and leaves the key to lower-precedence sources. */
  const read = <T>(name: string, parse: (raw: string) => Parsed<T>, fallback: string, apply: (v: T) => void): void => {
    const raw = get(name);
    if (raw === undefined) return;
    const v = parse(raw);
    if (isRejection(v)) reject(name, raw, v.expected, fallback);
    else apply(v);
  };

  read('OTEL_SDK_DISABLED', parseBoolean, 'otelkit stays enabled', (v) => (layer.disabled = v));
  const service = get('OTEL_SERVICE_NAME');
  if (service !== undefined) layer.serviceName = service.trim();
  const attrs = get('OTEL_RESOURCE_ATTRIBUTES');
  if (attrs !== undefined) {
    const { values, bad } = parseKeyValues(attrs);
    if (bad.length > 0) reject('OTEL_RESOURCE_ATTRIBUTES', attrs, 'key=value pairs separated by commas', `ignored ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
    layer.resourceAttributes = values;
  }
  read('OTEL_LOG_LEVEL', parseLogLevel, 'using info', (v) => (layer.logLevel = v));

  const metricsList = get('OTEL_METRICS_EXPORTER');
  if (metricsList !== undefined) {
    const { values, unknown } = parseNameList(metricsList, METRICS_EXPORTERS);
    if (unknown.length > 0) {
      const fallback = values.length > 0 ? `using ${values.join(',')}` : 'using otlp,prometheus';
      reject('OTEL_METRICS_EXPORTER', metricsList, METRICS_EXPORTERS.join(', '), fallback);
    }
    if (values.length > 0) layer.metricsExporters = dropNone(values);
  }
  const tracesList = get('OTEL_TRACES_EXPORTER');
  if (tracesList !== undefined) {
    const { values, unknown } = parseNameList(tracesList, TRACES_EXPORTERS);
    if (unknown.length > 0) {
      const fallback = values.length > 0 ? `using ${values.join(',')}` : 'using otlp';
      reject('OTEL_TRACES_EXPORTER', tracesList, TRACES_EXPORTERS.join(', '), fallback);
    }
    if (values.length > 0) layer.tracesExporters = dropNone(values);
  }

  layer.otlp = readOtlp('', read, get, reject, true);
  layer.metricsOtlp = readOtlp('METRICS_', read, get, reject, false);
  layer.tracesOtlp = readOtlp('TRACES_', read, get, reject, false);

  read('OTEL_EXPORTER_PROMETHEUS_HOST', (raw) => raw.trim(), '', (v) => (layer.prometheusHost = v));
  read('OTEL_EXPORTER_PROMETHEUS_PORT', (raw) => parseInteger(raw, 0, 65535, 'a port'), 'using 9464', (v) => (layer.prometheusPort = v));
  read('OTELKIT_PROMETHEUS_AUTH', parsePrometheusAuth, 'the Prometheus pull endpoint is not started (it would be unprotected)', (v) => (layer.prometheusAuth = v));
  if (get('OTELKIT_PROMETHEUS_AUTH') !== undefined && layer.prometheusAuth === undefined) layer.prometheusAuthInvalid = true;
  read('OTELKIT_PROMETHEUS_NAMING', parsePrometheusNaming, 'using collector', (v) => (layer.prometheusNaming = v));
  read('OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS', (raw) => parseInteger(raw, 1, MAX_TIMER_MILLIS, 'milliseconds, an integer'), 'using 5000', (v) => (layer.prometheusCollectTimeoutMillis = v));
  read('OTEL_METRIC_EXPORT_INTERVAL', (raw) => parseInteger(raw, 1, Number.MAX_SAFE_INTEGER, 'milliseconds, an integer'), 'using 60000', (v) => (layer.exportIntervalMillis = v));
  read('OTEL_METRIC_EXPORT_TIMEOUT', (raw) => parseInteger(raw, 0, Number.MAX_SAFE_INTEGER, 'milliseconds, an integer'), 'using 30000', (v) => (layer.exportTimeoutMillis = v));
  read('OTELKIT_RUNTIME_METRICS', parseBoolean, 'runtime metrics stay on', (v) => (layer.runtimeMetrics = v));
  read('OTELKIT_CARDINALITY_LIMIT', (raw) => parseInteger(raw, 1), 'using 2000', (v) => (layer.cardinalityLimit = v));
  read('OTELKIT_METRIC_NAMESPACE', parseNamespace, 'pack metrics get no prefix', (v) => (layer.namespace = v));

  const sampler = get('OTEL_TRACES_SAMPLER');
  if (sampler !== undefined) {
    const v = parseSamplerName(sampler);
    if (isRejection(v)) reject('OTEL_TRACES_SAMPLER', sampler, v.expected, 'using parentbased_always_on');
    else layer.samplerName = v;
  }
  const ratioFor = layer.samplerName ?? 'parentbased_always_on';
  read('OTEL_TRACES_SAMPLER_ARG', parseRatio, `using 1 for ${ratioFor}`, (v) => (layer.samplerRatio = v));

  for (const field of BATCH_FIELDS) {
    read(field.env, field.parse, `using ${field.fallback}`, (v) => {
      (layer.batch ??= {})[field.key] = v;
      if (field.key === 'maxQueueSize' || field.key === 'maxExportBatchSize') (layer.batchSources ??= {})[field.key] = field.env;
    });
  }

  const propagators = get('OTEL_PROPAGATORS');
  if (propagators !== undefined) {
    const { values, unknown } = parseNameList(propagators, PROPAGATORS);
    if (unknown.length > 0) {
      const fallback = values.length > 0 ? `using ${values.join(',')}` : 'using tracecontext,baggage';
      reject('OTEL_PROPAGATORS', propagators, PROPAGATORS.join(', '), fallback);
    }
    if (values.length > 0) layer.propagators = dropNone(values);
  }

  const packs = get('OTELKIT_PACKS');
  if (packs !== undefined) layer.packsAllow = packs.trim().toLowerCase() === 'none' ? 'none' : splitList(packs);
  const disabledPacks = get('OTELKIT_DISABLED_PACKS');
  if (disabledPacks !== undefined) layer.disabledPacks = splitList(disabledPacks);
  read('OTELKIT_STRICT', parseBoolean, 'not strict', (v) => (layer.strict = v));
  read('OTELKIT_SHUTDOWN_TIMEOUT_MS', (raw) => parseInteger(raw, 1, Number.MAX_SAFE_INTEGER, 'milliseconds, an integer'), 'using 5000', (v) => (layer.shutdownTimeoutMillis = v));

  return { layer, problems, configFile: get('OTEL_CONFIG_FILE')?.trim() };
}

function readOtlp(
  signal: '' | 'METRICS_' | 'TRACES_',
  read: <T>(name: string, parse: (raw: string) => Parsed<T>, fallback: string, apply: (v: T) => void) => void,
  get: (name: string) => string | undefined,
  reject: (name: string, raw: string, expected: string, fallback: string) => void,
  base: boolean,
): OtlpLayer {
  const out: OtlpLayer = {};
  const prefix = `OTEL_EXPORTER_OTLP_${signal}`;
  const fallback = signal === '' ? 'using the default' : 'using the general OTEL_EXPORTER_OTLP_* value or the default';
  read(`${prefix}ENDPOINT`, parseUrl, fallback, (v) => {
    if (base) out.baseEndpoint = v;
    else out.endpoint = v;
  });
  read(`${prefix}PROTOCOL`, parseProtocol, fallback, (v) => (out.protocol = v));
  read(`${prefix}TIMEOUT`, (raw) => parseInteger(raw, 1, Number.MAX_SAFE_INTEGER, 'milliseconds, an integer'), fallback, (v) => (out.timeoutMillis = v));
  read(`${prefix}COMPRESSION`, parseCompression, fallback, (v) => (out.compression = v));
  const headers = get(`${prefix}HEADERS`);
  if (headers !== undefined) {
    const { values, bad } = parseKeyValues(headers);
    if (bad.length > 0) reject(`${prefix}HEADERS`, headers, 'key=value pairs separated by commas', `ignored ${bad.length} malformed entr${bad.length === 1 ? 'y' : 'ies'}`);
    out.headers = values;
  }
  const file = (name: string): TlsFileRef | undefined => {
    const path = get(`${prefix}${name}`)?.trim();
    return path === undefined ? undefined : { path, source: `${prefix}${name}` };
  };
  const certificate = file('CERTIFICATE');
  if (certificate !== undefined) out.certificate = certificate;
  const clientKey = file('CLIENT_KEY');
  if (clientKey !== undefined) out.clientKey = clientKey;
  const clientCertificate = file('CLIENT_CERTIFICATE');
  if (clientCertificate !== undefined) out.clientCertificate = clientCertificate;
  // otelkit endpoints always carry a scheme, and the spec applies INSECURE only to endpoints without one, so the
  // scheme decides; the value is still checked so a typo is not mistaken for a setting that took effect.
  read(`${prefix}INSECURE`, parseBoolean, "ignored; the endpoint's scheme decides (http:// plaintext, https:// TLS)", () => undefined);
  return out;
}
