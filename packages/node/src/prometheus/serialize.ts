import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { attributeValueString, escapeHelp, escapeLabelValue, formatFloat, formatOpenMetricsFloat } from './format.js';
import { prometheusMetricName, type OtlpMetricType, type PrometheusType } from './naming.js';
import { buildLayout, buildSeries, compareSeries, dedupe, labelName, pairsOf, sameKeys, type Layout, type Series } from './series.js';

// Serializes SDK metrics into the exposition the OpenTelemetry Collector's prometheus exporter serves for the same
// data (default config): the same family names, labels (`otel_scope_*`, `job`/`instance` from service.* resource
// attributes, `target_info`), ordering (families by name, series by label values, labels by name) and number format.

/** Options of {@link serializePrometheus}. */
export interface SerializeOptions {
  /** OpenMetrics 1.0 text instead of the Prometheus 0.0.4 text format. @default false */
  readonly openMetrics?: boolean;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: PrometheusType;
  readonly dataPointType: DataPointType;
  readonly series: Series[];
  /** Set when two series could carry identical labels (several metrics in one family, or colliding label names). */
  dedupe: boolean;
  metrics: number;
}

const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';

const nameCache = new Map<string, string>();
function familyName(metric: MetricData, otlpType: OtlpMetricType): string {
  const { name, unit } = metric.descriptor;
  const key = `${otlpType}\u0000${unit}\u0000${name}`;
  let out = nameCache.get(key);
  if (out === undefined) {
    out = prometheusMetricName(name, unit, otlpType);
    if (nameCache.size < 10_000) nameCache.set(key, out);
  }
  return out;
}

function typesOf(metric: MetricData): [OtlpMetricType, PrometheusType] {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? ['monotonic_sum', 'counter'] : ['non_monotonic_sum', 'gauge'];
    case DataPointType.GAUGE:
      return ['gauge', 'gauge'];
    case DataPointType.HISTOGRAM:
      return ['histogram', 'histogram'];
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return ['exponential_histogram', 'histogram'];
  }
}

function job(attrs: Attributes): string | undefined {
  const name = attrs[SERVICE_NAME];
  if (name === undefined) return undefined;
  const ns = attrs[SERVICE_NAMESPACE];
  return ns === undefined ? attributeValueString(name) : `${attributeValueString(ns)}/${attributeValueString(name)}`;
}

function instance(attrs: Attributes): string | undefined {
  const id = attrs[SERVICE_INSTANCE_ID];
  return id === undefined ? undefined : attributeValueString(id);
}

function targetInfo(resource: Attributes): [string, string][] | undefined {
  const j = job(resource);
  const i = instance(resource);
  if (j === undefined || i === undefined || j === '' || i === '') return undefined;
  const labels = new Map<string, string>();
  for (const [key, value] of Object.entries(resource)) {
    if (key === SERVICE_NAME || key === SERVICE_NAMESPACE || key === SERVICE_INSTANCE_ID || value === undefined) continue;
    const name = labelName(key);
    const v = attributeValueString(value);
    const existing = labels.get(name);
    labels.set(name, existing === undefined ? v : `${existing};${v}`);
  }
  labels.set('job', j);
  labels.set('instance', i);
  return [...labels];
}

/**
 * Serializes collected metrics (e.g. `(await reader.collect()).resourceMetrics`) into Prometheus text format 0.0.4,
 * or OpenMetrics 1.0 text when `openMetrics` is set, named and labelled as the collector's prometheus exporter does.
 */
export function serializePrometheus(resourceMetrics: ResourceMetrics | readonly ResourceMetrics[], options: SerializeOptions = {}): string {
  const openMetrics = options.openMetrics === true;
  const families = new Map<string, Family>();
  const resources: readonly ResourceMetrics[] = Array.isArray(resourceMetrics) ? resourceMetrics : [resourceMetrics as ResourceMetrics];
  const targets = new Map<string, [string, string][]>();

  for (const rm of resources) {
    const resourceAttrs = rm.resource.attributes;
    const target = targetInfo(resourceAttrs);
    if (target !== undefined) {
      const sig = `${job(resourceAttrs) ?? ''}\u0000${instance(resourceAttrs) ?? ''}`;
      if (!targets.has(sig)) targets.set(sig, target);
    }
    const j = job(resourceAttrs);
    const inst = instance(resourceAttrs);

    for (const sm of rm.scopeMetrics) {
      const scope = sm.scope as typeof sm.scope & { readonly attributes?: Attributes };
      const scopePairs: [string, string][] = [];
      if (scope.attributes !== undefined) {
        for (const [k, v] of Object.entries(scope.attributes)) scopePairs.push([labelName(`otel_scope_${k}`), attributeValueString(v)]);
      }
      scopePairs.push(['otel_scope_name', scope.name], ['otel_scope_version', scope.version ?? ''], ['otel_scope_schema_url', scope.schemaUrl ?? '']);
      if (j !== undefined) scopePairs.push(['job', j]);
      if (inst !== undefined) scopePairs.push(['instance', inst]);

      for (const metric of sm.metrics) {
        if (metric.dataPoints.length === 0) continue;
        const [otlpType, promType] = typesOf(metric);
        const name = familyName(metric, otlpType);
        if (name === '' || /^_*$/.test(name)) continue;
        let family = families.get(name);
        if (family === undefined) {
          family = { name, help: metric.descriptor.description, type: promType, dataPointType: metric.dataPointType, series: [], dedupe: false, metrics: 0 };
          families.set(name, family);
        } else if (family.type !== promType) {
          continue; // the collector keeps the first definition of a family and drops conflicting types
        }
        family.metrics++;
        if (family.metrics > 1) family.dedupe = true;
        const layouts = new Map<string, Layout>();
        const namesSeen = new Map<string, string>();
        let layout: Layout | undefined;
        for (const point of metric.dataPoints as Series['point'][]) {
          const attrs = point.attributes;
          if (layout === undefined || !sameKeys(attrs, layout.keyOrder)) {
            const keyOrder = Object.keys(attrs);
            if (keyOrder.some((k) => attrs[k] === undefined)) {
              // Rare: explicit undefined values are left out, so take the general path for this point.
              const series = buildSeries(pairsOf(attrs, scopePairs), point);
              if (series !== undefined) family.series.push(series);
              family.dedupe = true;
              layout = undefined;
              continue;
            }
            const sig = keyOrder.join('\u0000');
            layout = layouts.get(sig);
            if (layout === undefined) {
              layout = buildLayout(keyOrder, scopePairs);
              layouts.set(sig, layout);
              const other = namesSeen.get(layout.namesSig);
              if (other !== undefined && other !== sig) family.dedupe = true;
              namesSeen.set(layout.namesSig, sig);
            }
          }
          if (layout.invalid) continue;
          const { slots, text, sortText } = layout;
          let labels = text[0] as string;
          let sortKey = sortText[0] as string;
          for (let i = 0; i < slots.length; i++) {
            const raw = attributeValueString(attrs[slots[i] as string]);
            labels += escapeLabelValue(raw) + (text[i + 1] as string);
            sortKey += raw + (sortText[i + 1] as string);
          }
          family.series.push({ labels, sortKey, labelCount: layout.labelCount, point });
        }
      }
    }
  }

  if (targets.size > 0) {
    const family: Family = { name: 'target_info', help: 'Target metadata', type: 'gauge', dataPointType: DataPointType.GAUGE, series: [], dedupe: true, metrics: 1 };
    for (const labels of targets.values()) {
      const series = buildSeries(labels, { startTime: [0, 0], endTime: [0, 0], attributes: {}, value: 1 });
      if (series !== undefined) family.series.push(series);
    }
    if (!families.has('target_info')) families.set('target_info', family);
  }

  const names = [...families.keys()].sort();
  let out = '';
  const num = openMetrics ? formatOpenMetricsFloat : formatFloat;
  // Counts are floats in the 0.0.4 text format (`1e+06`) and integers in OpenMetrics.
  const int = openMetrics ? String : formatFloat;
  for (const familyKey of names) {
    const family = families.get(familyKey) as Family;
    if (family.series.length === 0) continue;
    family.series.sort(compareSeries);
    if (family.dedupe) dedupe(family.series);
    const { name, type } = family;
    const shortName = openMetrics && type === 'counter' && name.endsWith('_total') ? name.slice(0, -6) : name;
    const typeWord = openMetrics && type === 'counter' && shortName === name ? 'unknown' : type;
    out += `# HELP ${shortName} ${escapeHelp(family.help, openMetrics)}\n# TYPE ${shortName} ${typeWord}\n`;
    if (type !== 'histogram') {
      for (const s of family.series) {
        out += `${name}${s.labels === '' ? '' : `{${s.labels}}`} ${num(s.point.value as number)}\n`;
      }
      continue;
    }
    for (const s of family.series) {
      const sep = s.labels === '' ? '{' : `{${s.labels},`;
      const labels = s.labels === '' ? '' : `{${s.labels}}`;
      let count: number;
      let sum: number;
      if (family.dataPointType === DataPointType.HISTOGRAM) {
        const h = s.point.value as { buckets: { boundaries: number[]; counts: number[] }; sum?: number; count: number };
        const { boundaries, counts } = h.buckets;
        let cumulative = 0;
        let previous = NaN;
        for (let i = 0; i < boundaries.length; i++) {
          const bound = boundaries[i] as number;
          cumulative += counts[i] ?? 0;
          if (bound === previous) continue;
          previous = bound;
          if (bound === Infinity) continue;
          // `le` keeps the text format's spelling ("1", not OpenMetrics' "1.0") in both formats, as the collector
          // serves it: Prometheus 2.x stores the spelling it scraped, so both paths yield the same series there;
          // Prometheus 3 stores every scraped bound as "1.0" whatever was served.
          out += `${name}_bucket${sep}le="${formatFloat(bound)}"} ${int(cumulative)}\n`;
        }
        count = h.count;
        sum = h.sum ?? 0;
      } else {
        const h = s.point.value as { sum?: number; count: number };
        count = h.count;
        sum = h.sum ?? 0;
      }
      out += `${name}_bucket${sep}le="+Inf"} ${int(count)}\n${name}_sum${labels} ${num(sum)}\n${name}_count${labels} ${int(count)}\n`;
    }
  }
  if (openMetrics) out += '# EOF\n';
  return out;
}
