// The supported subset of the OpenTelemetry declarative configuration schema (file_format 0.3 – 1.0). See the
// package README for the list; anything else in the file is reported once and ignored.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { ConfigProblem } from '../errors.js';
import { describeError } from '../errors.js';
import type { OtlpProtocol, PropagatorName, SamplerName } from '../types.js';
import { redactUrl } from '../redact-url.js';
import type { Env } from './env.js';
import type { ConfigLayer, OtlpLayer, TlsFileRef } from './layer.js';
import {
  BATCH_FIELDS,
  isAttributeValue,
  isRejection,
  parseBoolean,
  parseCompression,
  parseInteger,
  parseKeyValues,
  parseLogLevel,
  parseNameList,
  parseProtocol,
  parseRatio,
  parseUrl,
  PROPAGATORS,
  Rejection,
  type Parsed,
} from './parse.js';

type Node = Record<string, unknown>;

// The YAML parser is loaded only when a config file is used (startup budget); synchronously, because
// resolveConfig is synchronous. The CommonJS bundle has no import.meta, the ESM build no __filename.
function parseYaml(text: string): unknown {
  const here = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
  const yaml = createRequire(here)('yaml') as { parse(text: string, options: { logLevel: 'error' }): unknown };
  // yaml reports oddities such as an unknown tag through process.emitWarning, a line otelkit does not own; the
  // values it yields are then checked like any other.
  return yaml.parse(text, { logLevel: 'error' });
}

const SUBSTITUTION = /\$\$|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}`, `${env:VAR}` and `${VAR:-default}` in scalar strings; `$$` is a literal `$`. */
export function substituteEnv(text: string, env: Env): string {
  return text.replace(SUBSTITUTION, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const value = name === undefined ? undefined : env[name];
    return value !== undefined && value !== '' ? value : (fallback ?? '');
  });
}

function substituteDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return substituteEnv(value, env);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, env));
  if (isNode(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, env)]));
  return value;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and maps the config file; a file that cannot be read or parsed yields one problem and an empty layer. */
export function readFileLayer(path: string, env: Env): { layer: ConfigLayer; problems: ConfigProblem[] } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    return {
      layer: {},
      problems: [
        {
          code: 'OTELKIT_E_CONFIG_FILE',
          source: 'OTEL_CONFIG_FILE',
          value: path,
          expected: `a readable YAML file (${describeError(error).split('\n')[0] ?? ''})`,
          fallback: 'the file is ignored; env and defaults apply',
        },
      ],
    };
  }
  if (!isNode(doc)) {
    return {
      layer: {},
      problems: [{ code: 'OTELKIT_E_CONFIG_FILE', source: 'OTEL_CONFIG_FILE', value: path, expected: 'a YAML mapping at the top level', fallback: 'the file is ignored; env and defaults apply' }],
    };
  }
  return mapDocument(substituteDeep(doc, env) as Node);
}

/** Maps a parsed (and substituted) document onto a config layer. Exported for unit tests. */
export function mapDocument(doc: Node): { layer: ConfigLayer; problems: ConfigProblem[] } {
  const layer: ConfigLayer = {};
  const problems: ConfigProblem[] = [];
  const bad = (source: string, value: unknown, expected: string, fallback: string): void => {
    problems.push({ code: 'OTELKIT_E_FILE_VALUE', source: `OTEL_CONFIG_FILE ${source}`, value: display(source, value), expected, fallback });
  };
  const unsupported = (source: string, value: unknown, expected: string): void => {
    problems.push({ code: 'OTELKIT_E_FILE_UNSUPPORTED', source: `OTEL_CONFIG_FILE ${source}`, value: display(source, value), expected, fallback: 'ignored' });
  };
  const take = <T>(source: string, raw: unknown, parse: (raw: string) => Parsed<T>, fallback: string): T | undefined => {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      bad(source, raw, 'a scalar value', fallback);
      return undefined;
    }
    const v = parse(String(raw));
    if (isRejection(v)) {
      bad(source, raw, v.expected, fallback);
      return undefined;
    }
    return v;
  };

  const known = new Set(['file_format', 'disabled', 'log_level', 'resource', 'propagator', 'tracer_provider', 'meter_provider', 'attribute_limits', 'logger_provider']);
  for (const key of Object.keys(doc)) if (!known.has(key)) unsupported(key, doc[key], `one of ${[...known].join(', ')}`);
  if (doc.file_format === undefined) bad('file_format', '', 'a schema version such as "1.0"', 'read as 1.0');

  if (doc.disabled !== undefined) {
    if (typeof doc.disabled === 'boolean') layer.disabled = doc.disabled;
    else if (doc.disabled === 'true' || doc.disabled === 'false') layer.disabled = doc.disabled === 'true';
    else bad('disabled', doc.disabled, 'true or false', 'otelkit stays enabled');
  }
  const logLevel = take('log_level', doc.log_level, parseLogLevel, 'using the env or default level');
  if (logLevel !== undefined) layer.logLevel = logLevel;

  if (doc.resource !== undefined) mapResource(doc.resource, layer, bad);
  if (doc.propagator !== undefined) mapPropagator(doc.propagator, layer, bad);
  if (doc.meter_provider !== undefined) mapMeterProvider(doc.meter_provider, layer, bad, unsupported, take);
  if (doc.tracer_provider !== undefined) mapTracerProvider(doc.tracer_provider, layer, bad, unsupported, take);
  return { layer, problems };
}

type Bad = (source: string, value: unknown, expected: string, fallback: string) => void;
type Unsupported = (source: string, value: unknown, expected: string) => void;
type Take = <T>(source: string, raw: unknown, parse: (raw: string) => Parsed<T>, fallback: string) => T | undefined;

function display(source: string, value: unknown): string {
  if (/header|auth|token|password/i.test(source)) return '***';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return /endpoint$/.test(source) ? redactUrl(text) : text;
}

function parsePath(raw: string): Parsed<string> {
  const path = raw.trim();
  return path === '' ? new Rejection('a file path') : path;
}

// file_format 0.4 puts the TLS keys on the exporter, 1.0 under `tls:`, 0.3 without the `_file` suffix.
const TLS_KEYS = [
  ['certificate', 'certificate_file', 'certificate'],
  ['clientKey', 'client_key_file', 'client_key'],
  ['clientCertificate', 'client_certificate_file', 'client_certificate'],
] as const;

function mapTls(source: string, exporter: Node, out: OtlpLayer, bad: Bad, take: Take): void {
  const tls = isNode(exporter.tls) ? exporter.tls : undefined;
  if (exporter.tls !== undefined && exporter.tls !== null && tls === undefined) bad(`${source}.tls`, exporter.tls, 'a mapping', 'ignored');
  for (const [field, key, legacy] of TLS_KEYS) {
    const [where, node, name] =
      tls?.[key] !== undefined ? [`${source}.tls.${key}`, tls, key] : exporter[key] !== undefined ? [`${source}.${key}`, exporter, key] : [`${source}.${legacy}`, exporter, legacy];
    const path = take(where, node[name], parsePath, 'no TLS file from the config file');
    if (path !== undefined) out[field] = { path, source: `OTEL_CONFIG_FILE ${where}` } satisfies TlsFileRef;
  }
  const [insecureAt, insecure] = tls?.insecure !== undefined ? [`${source}.tls.insecure`, tls.insecure] : [`${source}.insecure`, exporter.insecure];
  take(insecureAt, insecure, parseBoolean, "ignored; the endpoint's scheme decides (http:// plaintext, https:// TLS)");
}

function mapResource(resource: unknown, layer: ConfigLayer, bad: Bad): void {
  if (!isNode(resource)) return bad('resource', resource, 'a mapping', 'ignored');
  const attrs: NonNullable<ConfigLayer['resourceAttributes']> = {};
  if (typeof resource.attributes_list === 'string') {
    const { values, bad: wrong } = parseKeyValues(resource.attributes_list);
    if (wrong.length > 0) bad('resource.attributes_list', resource.attributes_list, 'key=value pairs', 'malformed entries ignored');
    Object.assign(attrs, values);
  }
  if (resource.attributes !== undefined) {
    if (!Array.isArray(resource.attributes)) bad('resource.attributes', resource.attributes, 'a list of {name, value}', 'ignored');
    else {
      resource.attributes.forEach((entry: unknown, i) => {
        if (isNode(entry) && typeof entry.name === 'string' && isAttributeValue(entry.value)) attrs[entry.name] = entry.value;
        else bad(`resource.attributes[${i}]`, entry, '{name: string, value: string | number | boolean | array}', 'ignored');
      });
    }
  }
  const { 'service.name': serviceName, ...rest } = attrs;
  if (typeof serviceName === 'string' && serviceName !== '') layer.serviceName = serviceName;
  layer.resourceAttributes = rest;
}

function mapPropagator(propagator: unknown, layer: ConfigLayer, bad: Bad): void {
  if (!isNode(propagator)) return bad('propagator', propagator, 'a mapping with composite or composite_list', 'ignored');
  const composite: string[] = [];
  if (Array.isArray(propagator.composite)) {
    for (const entry of propagator.composite) {
      if (typeof entry === 'string') composite.push(entry);
      else if (isNode(entry)) composite.push(...Object.keys(entry));
    }
  }
  const values: PropagatorName[] = [];
  // Each key is checked on its own so the line names the one holding the unknown entry.
  const read = (key: 'composite' | 'composite_list', text: string): void => {
    const parsed = parseNameList(text, PROPAGATORS);
    if (parsed.unknown.length > 0) bad(`propagator.${key}`, parsed.unknown.join(','), PROPAGATORS.join(', '), 'those entries are ignored');
    for (const v of parsed.values) if (!values.includes(v)) values.push(v);
  };
  read('composite', composite.join(','));
  if (typeof propagator.composite_list === 'string') read('composite_list', propagator.composite_list);
  if (values.length > 0) layer.propagators = values.length > 1 ? values.filter((v): v is PropagatorName => v !== 'none') : values;
}

/** Reads one exporter mapping (`otlp`, `otlp_http`, `otlp_grpc`, `console`, ...). */
function mapOtlpExporter(
  source: string,
  exporter: Node,
  kind: 'otlp' | 'otlp_http' | 'otlp_grpc',
  bad: Bad,
  take: Take,
): OtlpLayer {
  const out: OtlpLayer = {};
  const fb = 'using the env or default value';
  if (kind === 'otlp_grpc') out.protocol = 'grpc';
  if (kind === 'otlp_http') {
    const encoding = exporter.encoding ?? 'protobuf';
    if (encoding === 'protobuf' || encoding === 'json') out.protocol = `http/${encoding}` as OtlpProtocol;
    else bad(`${source}.encoding`, encoding, 'protobuf or json', 'using protobuf');
    out.protocol ??= 'http/protobuf';
  }
  if (kind === 'otlp') {
    const protocol = take(`${source}.protocol`, exporter.protocol, parseProtocol, fb);
    if (protocol !== undefined) out.protocol = protocol;
  }
  const endpoint = take(`${source}.endpoint`, exporter.endpoint, parseUrl, fb);
  if (endpoint !== undefined) out.endpoint = endpoint;
  const timeout = take(`${source}.timeout`, exporter.timeout, (r) => parseInteger(r, 1, Number.MAX_SAFE_INTEGER, 'milliseconds, an integer'), fb);
  if (timeout !== undefined) out.timeoutMillis = timeout;
  const compression = take(`${source}.compression`, exporter.compression, parseCompression, fb);
  if (compression !== undefined) out.compression = compression;
  const headers: Record<string, string> = {};
  if (typeof exporter.headers_list === 'string') Object.assign(headers, parseKeyValues(exporter.headers_list).values);
  if (Array.isArray(exporter.headers)) {
    exporter.headers.forEach((h: unknown, i) => {
      if (isNode(h) && typeof h.name === 'string' && typeof h.value === 'string') headers[h.name] = h.value;
      else bad(`${source}.headers[${i}]`, h, '{name, value} strings', 'ignored');
    });
  }
  if (Object.keys(headers).length > 0) out.headers = headers;
  mapTls(source, exporter, out, bad, take);
  return out;
}

function mapMeterProvider(mp: unknown, layer: ConfigLayer, bad: Bad, unsupported: Unsupported, take: Take): void {
  if (!isNode(mp)) return bad('meter_provider', mp, 'a mapping', 'ignored');
  if (mp.readers === undefined) return;
  if (!Array.isArray(mp.readers)) return bad('meter_provider.readers', mp.readers, 'a list', 'ignored');
  const exporters: NonNullable<ConfigLayer['metricsExporters']> = [];
  mp.readers.forEach((reader: unknown, i) => {
    const src = `meter_provider.readers[${i}]`;
    if (isNode(reader) && isNode(reader.periodic)) {
      const periodic = reader.periodic;
      const interval = take(`${src}.periodic.interval`, periodic.interval, (r) => parseInteger(r, 1), 'using the env or default interval');
      if (interval !== undefined) layer.exportIntervalMillis = interval;
      const timeout = take(`${src}.periodic.timeout`, periodic.timeout, (r) => parseInteger(r, 0), 'using the env or default timeout');
      if (timeout !== undefined) layer.exportTimeoutMillis = timeout;
      const exporter = isNode(periodic.exporter) ? periodic.exporter : {};
      const [name] = Object.keys(exporter);
      const body = name !== undefined && isNode(exporter[name]) ? (exporter[name] as Node) : {};
      if (name === 'otlp' || name === 'otlp_http' || name === 'otlp_grpc') {
        if (exporters.includes('otlp')) return unsupported(src, name, 'at most one OTLP metrics exporter');
        exporters.push('otlp');
        layer.metricsOtlp = mapOtlpExporter(`${src}.periodic.exporter.${name}`, body, name, bad, take);
        layer.metricsOtlp.protocol ??= 'grpc';
      } else if (name === 'console') {
        if (!exporters.includes('console')) exporters.push('console');
      } else bad(`${src}.periodic.exporter`, name ?? '', 'otlp_grpc, otlp_http, otlp or console', 'reader ignored');
    } else if (isNode(reader) && isNode(reader.pull)) {
      const exporter = isNode(reader.pull.exporter) ? reader.pull.exporter : {};
      const key = Object.keys(exporter).find((k) => k === 'prometheus' || k === 'prometheus/development');
      if (key === undefined) return bad(`${src}.pull.exporter`, Object.keys(exporter).join(','), 'prometheus', 'reader ignored');
      exporters.push('prometheus');
      const body = isNode(exporter[key]) ? (exporter[key] as Node) : {};
      if (typeof body.host === 'string') layer.prometheusHost = body.host;
      const port = take(`${src}.pull.exporter.${key}.port`, body.port, (r) => parseInteger(r, 0, 65535, 'a port'), 'using the env or default port');
      if (port !== undefined) layer.prometheusPort = port;
    } else bad(src, reader, 'a periodic or pull reader', 'reader ignored');
  });
  layer.metricsExporters = exporters.length > 0 ? exporters : ['none'];
  if (mp.views !== undefined) unsupported('meter_provider.views', mp.views, 'views are set by otelkit (seconds buckets, cardinality limit)');
}

function mapTracerProvider(tp: unknown, layer: ConfigLayer, bad: Bad, unsupported: Unsupported, take: Take): void {
  if (!isNode(tp)) return bad('tracer_provider', tp, 'a mapping', 'ignored');
  if (tp.sampler !== undefined) mapSampler(tp.sampler, layer, bad, take);
  if (tp.processors === undefined) return;
  if (!Array.isArray(tp.processors)) return bad('tracer_provider.processors', tp.processors, 'a list', 'ignored');
  const exporters: NonNullable<ConfigLayer['tracesExporters']> = [];
  tp.processors.forEach((processor: unknown, i) => {
    const src = `tracer_provider.processors[${i}]`;
    const kind = isNode(processor) ? (isNode(processor.batch) ? 'batch' : isNode(processor.simple) ? 'simple' : undefined) : undefined;
    if (kind === undefined || !isNode(processor)) return bad(src, processor, 'a batch processor', 'processor ignored');
    if (kind === 'simple') unsupported(`${src}.simple`, 'simple', 'batch (otelkit always batches)');
    else mapBatch(`${src}.batch`, processor.batch as Node, layer, unsupported, take);
    const exporter = isNode((processor[kind] as Node).exporter) ? ((processor[kind] as Node).exporter as Node) : {};
    const [name] = Object.keys(exporter);
    const body = name !== undefined && isNode(exporter[name]) ? (exporter[name] as Node) : {};
    if (name === 'otlp' || name === 'otlp_http' || name === 'otlp_grpc') {
      if (exporters.includes('otlp')) return unsupported(src, name, 'at most one OTLP trace exporter');
      exporters.push('otlp');
      layer.tracesOtlp = mapOtlpExporter(`${src}.${kind}.exporter.${name}`, body, name, bad, take);
      layer.tracesOtlp.protocol ??= 'http/protobuf';
    } else if (name === 'console') {
      if (!exporters.includes('console')) exporters.push('console');
    } else bad(`${src}.${kind}.exporter`, name ?? '', 'otlp_http, otlp_grpc, otlp or console', 'processor ignored');
  });
  layer.tracesExporters = exporters.length > 0 ? exporters : ['none'];
}

/** The batch settings of one processor; otelkit has one set for all its processors, so they must agree. */
function mapBatch(src: string, batch: Node, layer: ConfigLayer, unsupported: Unsupported, take: Take): void {
  for (const field of BATCH_FIELDS) {
    const source = `${src}.${field.file}`;
    const v = take(source, batch[field.file], field.parse, 'using the env or default value');
    if (v === undefined) continue;
    const current = layer.batch?.[field.key];
    if (current !== undefined && current !== v) {
      unsupported(source, v, `the same ${field.file} on every batch processor (otelkit applies one set to all); using ${current}`);
      continue;
    }
    (layer.batch ??= {})[field.key] = v;
    if (field.key === 'maxQueueSize' || field.key === 'maxExportBatchSize') (layer.batchSources ??= {})[field.key] = `OTEL_CONFIG_FILE ${source}`;
  }
}

function mapSampler(sampler: unknown, layer: ConfigLayer, bad: Bad, take: Take): void {
  const fallback = 'using the env or default sampler';
  if (!isNode(sampler)) return bad('tracer_provider.sampler', sampler, 'a sampler mapping', fallback);
  const simple = (node: Node, parent: boolean, src: string): boolean => {
    if (node.always_on !== undefined) layer.samplerName = parent ? 'parentbased_always_on' : 'always_on';
    else if (node.always_off !== undefined) layer.samplerName = parent ? 'parentbased_always_off' : 'always_off';
    else if (node.trace_id_ratio_based !== undefined) {
      layer.samplerName = (parent ? 'parentbased_traceidratio' : 'traceidratio') satisfies SamplerName;
      const body = isNode(node.trace_id_ratio_based) ? node.trace_id_ratio_based : {};
      const ratio = take(`${src}.trace_id_ratio_based.ratio`, body.ratio ?? 1, parseRatio, 'using 1');
      if (ratio !== undefined) layer.samplerRatio = ratio;
    } else return false;
    return true;
  };
  if (isNode(sampler.parent_based)) {
    const root = isNode(sampler.parent_based.root) ? sampler.parent_based.root : { always_on: {} };
    if (!simple(root, true, 'tracer_provider.sampler.parent_based.root')) bad('tracer_provider.sampler.parent_based.root', Object.keys(root).join(','), 'always_on, always_off or trace_id_ratio_based', fallback);
  } else if (!simple(sampler, false, 'tracer_provider.sampler')) {
    bad('tracer_provider.sampler', Object.keys(sampler).join(','), 'always_on, always_off, trace_id_ratio_based or parent_based', fallback);
  }
}
