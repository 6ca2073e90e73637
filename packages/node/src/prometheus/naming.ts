import type { InstrumentKind } from '../catalog.js';

// The OpenTelemetry Collector's prometheus exporter (default translation strategy
// "UnderscoreEscapingWithSuffixes", github.com/prometheus/otlptranslator) turns OTel names into Prometheus names this
// way. The pull endpoint and every generated dashboard and rule use these functions, so both export paths and all
// artefacts agree on series names. The rules below mirror otlptranslator's normalizeName/addUnitTokens/LabelNamer.

const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year',
};

/** The kind of Prometheus metric family an OTel instrument becomes. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

/**
 * The OTLP metric type as the translator sees it. Only `gauge` gets `_ratio` for unit `1` and only
 * `monotonic_sum` gets `_total`; a non-monotonic sum (up-down counter) is exposed as a gauge but named like neither.
 */
export type OtlpMetricType = 'gauge' | 'monotonic_sum' | 'non_monotonic_sum' | 'histogram' | 'exponential_histogram' | 'summary';

export function prometheusTypeOf(kind: InstrumentKind): PrometheusType {
  switch (kind) {
    case 'counter':
      return 'counter';
    case 'histogram':
      return 'histogram';
    case 'up_down_counter':
    case 'gauge':
    case 'state_set':
      return 'gauge';
  }
}

/** The OTLP metric type an instrument of a catalog kind produces. */
export function otlpTypeOf(kind: InstrumentKind): OtlpMetricType {
  switch (kind) {
    case 'counter':
      return 'monotonic_sum';
    case 'up_down_counter':
      return 'non_monotonic_sum';
    case 'histogram':
      return 'histogram';
    case 'gauge':
    case 'state_set':
      return 'gauge';
  }
}

const isMetricChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 58; // a-z A-Z 0-9 :

/** Splits on every run of characters outside [a-zA-Z0-9:] (underscores included), dropping empty tokens. */
function tokens(name: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < name.length; i++) {
    if (isMetricChar(name.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(name.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(name.slice(start));
  return out;
}

/** otlptranslator.cleanUpUnit: invalid characters → `_`, runs of `_` collapsed, one leading `_` trimmed. */
function cleanUpUnit(unit: string): string {
  return unit.replace(/[^a-zA-Z0-9:]/gu, '_').replace(/__+/g, '_').replace(/^_/, '');
}

function unitSuffixes(unit: string): [main: string, per: string] {
  const slash = unit.indexOf('/');
  const mainRaw = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perRaw = slash < 0 ? '' : unit.slice(slash + 1);
  let main = '';
  if (mainRaw !== '' && !/[{}]/.test(mainRaw)) main = UNIT_WORDS[mainRaw] ?? mainRaw;
  let per = '';
  if (perRaw !== '') {
    const p = perRaw.trim();
    if (p !== '' && !/[{}]/.test(p)) per = PER_UNIT_WORDS[p] ?? p;
    if (per !== '') per = `per_${per}`;
  }
  return [cleanUpUnit(main), cleanUpUnit(per)];
}

/**
 * Prometheus metric family name for an OTel metric, exactly as the collector's prometheus exporter names it:
 * unit words appended unless already a token of the name, `_total` on monotonic sums, `_ratio` on gauges of unit `1`.
 */
export function prometheusMetricName(otelName: string, unit: string, type: OtlpMetricType, namespace = ''): string {
  let nameTokens = tokens(otelName);
  let [main, per] = unitSuffixes(unit);
  if (nameTokens.includes(main)) main = '';
  if (per === 'per_') {
    per = '';
  } else {
    per = per.replace(/_$/, '');
    if (nameTokens.includes(per)) per = '';
  }
  if (per !== '') main = main.replace(/_$/, '');
  if (main !== '') nameTokens.push(main);
  if (per !== '') nameTokens.push(per);
  if (type === 'monotonic_sum') nameTokens = [...nameTokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && type === 'gauge') nameTokens = [...nameTokens.filter((t) => t !== 'ratio'), 'ratio'];
  if (namespace !== '') nameTokens.unshift(namespace);
  let name = nameTokens.join('_');
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return name;
}

/**
 * Prometheus metric family name for an OTel metric. `type: 'gauge'` means an OTel gauge; for an up-down counter
 * use {@link prometheusNameForKind} (or {@link prometheusMetricName} with `non_monotonic_sum`), which differs for unit `1`.
 */
export function prometheusName(otelName: string, unit: string, type: PrometheusType, monotonic: boolean = type === 'counter'): string {
  const otlp: OtlpMetricType = type === 'counter' ? (monotonic ? 'monotonic_sum' : 'non_monotonic_sum') : type;
  return prometheusMetricName(otelName, unit, otlp);
}

/** Prometheus metric family name for a catalog metric of the given instrument kind. */
export function prometheusNameForKind(otelName: string, unit: string, kind: InstrumentKind): string {
  return prometheusMetricName(otelName, unit, otlpTypeOf(kind));
}

/**
 * Prometheus label name for an OTel attribute key (otlptranslator.LabelNamer): invalid characters → `_`,
 * a leading digit gets `key_`, a single leading underscore gets `key` (`__reserved` names are kept).
 */
export function prometheusLabel(key: string): string {
  if (key === '') return key;
  let label = key.replace(/[^a-zA-Z0-9_]/gu, '_');
  if (/^[0-9]/.test(label)) label = `key_${label}`;
  else if (label.startsWith('_') && !label.startsWith('__')) label = `key${label}`;
  return label;
}
