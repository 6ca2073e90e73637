import type { Catalog, MetricDefinition } from '../catalog.js';
import { otlpTypeOf, prometheusLabel, prometheusMetricName } from '../prometheus/naming.js';

/** The Prometheus family name of a catalog metric (histogram parts add `_bucket`, `_count`, `_sum`). */
export function familyName(def: MetricDefinition, namespace = ''): string {
  // The OTel name as createInstruments names it, through the function the pull endpoint's serializer uses, so
  // artefacts and both export paths agree.
  const otelName = namespace === '' ? def.name : `${namespace}.${def.name}`;
  return prometheusMetricName(otelName, def.unit, otlpTypeOf(def.kind));
}

const REFERENCE = /\{\{\s*([A-Za-z0-9_.]+)(?::(bucket|count|sum))?\s*\}\}(\{[^}]*\})?/g;

export interface ExpandOptions {
  /** Catalog metrics, possibly from several packs (http dashboards may reference runtime metrics and so on). */
  readonly catalog: Catalog;
  readonly namespace?: string;
  /** Extra label matchers added to every selector, e.g. dashboard variable filters. */
  readonly matchers?: (def: MetricDefinition) => readonly string[];
}

/** Replaces `{{otel.name[:part]}}{selector}` references with Prometheus series selectors. */
export function expandPromQL(expr: string, options: ExpandOptions): string {
  return expr.replace(REFERENCE, (_all, otelName: string, part: string | undefined, selector: string | undefined) => {
    const def = options.catalog.find((d) => d.name === otelName);
    if (def === undefined) throw new Error(`otelkit: PromQL references ${otelName}, which no catalog defines`);
    if (part !== undefined && def.kind !== 'histogram') {
      throw new Error(`otelkit: PromQL references ${otelName}:${part}, but ${otelName} is a ${def.kind}, not a histogram`);
    }
    const name = familyName(def, options.namespace) + (part === undefined ? '' : `_${part}`);
    const own = selector === undefined ? [] : splitMatchers(selector.slice(1, -1));
    for (const m of own) checkLabel(def, m, otelName);
    const all = [...(options.matchers?.(def) ?? []), ...own];
    return all.length === 0 ? name : `${name}{${all.join(', ')}}`;
  });
}

function splitMatchers(inner: string): string[] {
  return inner
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function checkLabel(def: MetricDefinition, matcher: string, otelName: string): void {
  const label = /^[A-Za-z_][A-Za-z0-9_]*/.exec(matcher)?.[0];
  if (label === undefined) throw new Error(`otelkit: bad label matcher ${JSON.stringify(matcher)} on ${otelName}`);
  if (label === 'le' && def.kind === 'histogram') return;
  if (label === 'job' || label === 'instance') return;
  if (!def.attributes.some((a) => prometheusLabel(a.key) === label)) {
    throw new Error(`otelkit: label ${label} is not an attribute of ${otelName}`);
  }
}

const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'inf', 'nan',
]);

/**
 * The metric names a PromQL expression reads. A small scanner, enough for the queries otelkit generates:
 * strings, selectors, ranges and grouping label lists are skipped; identifiers not followed by `(` are metrics.
 */
export function metricNamesIn(expr: string): string[] {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const re = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const word = m[0];
    const before = s[m.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // exponent or duration like 5m, 1e3
    if (KEYWORDS.has(word.toLowerCase())) continue;
    if (/^\s*\(/.test(s.slice(m.index + word.length))) continue;
    names.add(word);
  }
  return [...names];
}
