// Value parsers shared by the env and config-file readers. Each returns the parsed value, or a `Rejection`
// saying what was expected; the caller turns that into a ConfigProblem naming its variable and fallback.
import type { AttributeValue } from '@opentelemetry/api';
import type {
  LogLevel,
  MetricsExporterName,
  OtlpCompression,
  OtlpProtocol,
  PrometheusAuth,
  PropagatorName,
  SamplerName,
  TracesExporterName,
} from '../types.js';
import type { BatchLayer } from './layer.js';

export class Rejection {
  readonly expected: string;
  constructor(expected: string) {
    this.expected = expected;
  }
}

export type Parsed<T> = T | Rejection;

export function isRejection(value: unknown): value is Rejection {
  return value instanceof Rejection;
}

export function parseBoolean(raw: string): Parsed<boolean> {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return new Rejection('true or false');
}

export function parseInteger(raw: string | number, min: number, max: number = Number.MAX_SAFE_INTEGER, what: string = 'an integer'): Parsed<number> {
  const text = String(raw).trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return new Rejection(max === Number.MAX_SAFE_INTEGER ? `${what} >= ${min}` : `${what} from ${min} to ${max}`);
  }
  return n;
}

export function parseRatio(raw: string | number): Parsed<number> {
  const n = typeof raw === 'number' ? raw : Number(raw.trim());
  if (String(raw).trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) return new Rejection('a number from 0 to 1');
  return n;
}

export function parseUrl(raw: string): Parsed<string> {
  const text = raw.trim();
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text;
  } catch {
    // fall through to the rejection below
  }
  return new Rejection('an http:// or https:// URL');
}

const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];
export function parseProtocol(raw: string): Parsed<OtlpProtocol> {
  const v = raw.trim().toLowerCase();
  return (PROTOCOLS as readonly string[]).includes(v) ? (v as OtlpProtocol) : new Rejection(PROTOCOLS.join(', '));
}

export function parseCompression(raw: string): Parsed<OtlpCompression> {
  const v = raw.trim().toLowerCase();
  return v === 'gzip' || v === 'none' ? v : new Rejection('gzip or none');
}

export type PrometheusNaming = 'collector' | 'otel-js';
export function parsePrometheusNaming(raw: string): Parsed<PrometheusNaming> {
  const v = raw.trim().toLowerCase();
  return v === 'collector' || v === 'otel-js' ? v : new Rejection('collector or otel-js');
}

const LOG_LEVELS: readonly LogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];
export function parseLogLevel(raw: string): Parsed<LogLevel> {
  const v = raw.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : new Rejection(LOG_LEVELS.join(', '));
}

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
export function parseSamplerName(raw: string): Parsed<SamplerName> {
  const v = raw.trim().toLowerCase();
  return (SAMPLERS as readonly string[]).includes(v) ? (v as SamplerName) : new Rejection(SAMPLERS.join(', '));
}

/** Splits `a, b ,c` into trimmed non-empty items. */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Parses a list of names, keeping the known ones; `unknown` lists the rest. `none` must stand alone. */
export function parseNameList<T extends string>(
  raw: string,
  known: readonly T[],
): { values: T[]; unknown: string[] } {
  const values: T[] = [];
  const unknown: string[] = [];
  for (const item of splitList(raw.toLowerCase())) {
    if ((known as readonly string[]).includes(item)) {
      if (!values.includes(item as T)) values.push(item as T);
    } else unknown.push(item);
  }
  return { values, unknown };
}

export const METRICS_EXPORTERS: readonly MetricsExporterName[] = ['otlp', 'prometheus', 'console', 'none'];
export const TRACES_EXPORTERS: readonly TracesExporterName[] = ['otlp', 'console', 'none'];
export const PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'];

/** `none` together with other names means the other names; `none` alone means nothing. */
export function dropNone<T extends string>(values: T[]): T[] {
  return values.length > 1 ? values.filter((v) => v !== 'none') : values;
}

/**
 * Parses `k=v,k2=v2` (values URL-decoded, as `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS` use).
 * Malformed entries are returned in `bad` and left out.
 */
export function parseKeyValues(raw: string): { values: Record<string, string>; bad: string[] } {
  const values: Record<string, string> = {};
  const bad: string[] = [];
  for (const entry of splitList(raw)) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (key === '') {
      bad.push(entry);
      continue;
    }
    try {
      values[key] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      bad.push(entry);
    }
  }
  return { values, bad };
}

/** `basic:<user>:<password>` or `bearer:<token>`. */
export function parsePrometheusAuth(raw: string): Parsed<PrometheusAuth> {
  const text = raw.trim();
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const rest = colon > 0 ? text.slice(colon + 1) : '';
  if (scheme === 'bearer' && rest !== '') return { type: 'bearer', token: rest };
  if (scheme === 'basic') {
    const sep = rest.indexOf(':');
    if (sep > 0 && sep < rest.length - 1) return { type: 'basic', username: rest.slice(0, sep), password: rest.slice(sep + 1) };
  }
  return new Rejection('basic:<user>:<password> or bearer:<token>');
}

const NAMESPACE = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;
export function parseNamespace(raw: string): Parsed<string> {
  const v = raw.trim();
  return NAMESPACE.test(v) ? v : new Rejection('lower-case dot-separated words, e.g. "shop" or "acme.billing"');
}

/** A resource attribute value from YAML: strings, numbers, booleans and arrays of one of them. */
export function isAttributeValue(value: unknown): value is AttributeValue {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

/** Node's timers take at most 2^31-1 ms; a longer delay would fire after 1 ms instead. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

/** One batch span processor setting, as each source names it. */
export interface BatchField {
  readonly key: keyof BatchLayer;
  readonly env: string;
  /** Key under `tracer_provider.processors[].batch` in the config file. */
  readonly file: string;
  readonly fallback: number;
  readonly parse: (raw: string | number) => Parsed<number>;
}

// Lower bounds: a 0 ms delay exports at the next tick, but a 0 ms timeout would fail every export at once and an
// empty queue or batch would export nothing.
export const BATCH_FIELDS: readonly BatchField[] = [
  { key: 'scheduleDelayMillis', env: 'OTEL_BSP_SCHEDULE_DELAY', file: 'schedule_delay', fallback: 5000, parse: (raw) => parseInteger(raw, 0, MAX_TIMER_MILLIS, 'milliseconds, an integer') },
  { key: 'exportTimeoutMillis', env: 'OTEL_BSP_EXPORT_TIMEOUT', file: 'export_timeout', fallback: 30_000, parse: (raw) => parseInteger(raw, 1, MAX_TIMER_MILLIS, 'milliseconds, an integer') },
  { key: 'maxQueueSize', env: 'OTEL_BSP_MAX_QUEUE_SIZE', file: 'max_queue_size', fallback: 2048, parse: (raw) => parseInteger(raw, 1, Number.MAX_SAFE_INTEGER, 'a span count, an integer') },
  { key: 'maxExportBatchSize', env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', file: 'max_export_batch_size', fallback: 512, parse: (raw) => parseInteger(raw, 1, Number.MAX_SAFE_INTEGER, 'a span count, an integer') },
];
