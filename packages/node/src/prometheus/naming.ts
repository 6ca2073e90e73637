import type { InstrumentKind } from '../catalog.js';

// The OpenTelemetry Collector's prometheus exporter (default translation, "UnderscoreEscapingWithSuffixes")
// turns OTel names into Prometheus names this way. The pull endpoint and every generated dashboard and rule use
// this one function, so both export paths and all artefacts agree on series names.

const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '%': 'percent',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year',
};

/** The kind of Prometheus metric family an OTel instrument becomes. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

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

function sanitize(part: string): string {
  return part.replace(/[^a-zA-Z0-9_:]/g, '_');
}

function unitSuffix(unit: string, type: PrometheusType): string[] {
  // Annotations in braces carry no unit; "1" on a gauge means a ratio.
  const cleaned = unit.replace(/\{[^}]*\}/g, '').trim();
  if (cleaned === '') return [];
  if (cleaned === '1') return type === 'gauge' ? ['ratio'] : [];
  const [main = '', per] = cleaned.split('/', 2);
  const out: string[] = [];
  if (main !== '' && main !== '1') out.push(...sanitize(UNIT_WORDS[main] ?? main).split('_').filter(Boolean));
  if (per !== undefined && per !== '') out.push('per', ...sanitize(PER_UNIT_WORDS[per] ?? per).split('_').filter(Boolean));
  return out;
}

/** Prometheus metric family name for an OTel metric, as the collector's prometheus exporter names it. */
export function prometheusName(otelName: string, unit: string, type: PrometheusType, monotonic: boolean = type === 'counter'): string {
  const tokens = otelName.split(/[^a-zA-Z0-9:]+/).filter(Boolean);
  for (const word of unitSuffix(unit, type)) {
    if (!tokens.includes(word)) tokens.push(word);
  }
  if (type === 'counter' && monotonic) {
    while (tokens.at(-1) === 'total') tokens.pop();
    tokens.push('total');
  }
  let name = tokens.join('_');
  if (/^[0-9]/.test(name)) name = `_${name}`;
  return name;
}

/** Prometheus label name for an OTel attribute key. */
export function prometheusLabel(key: string): string {
  let label = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(label)) label = `key_${label}`;
  return label;
}
