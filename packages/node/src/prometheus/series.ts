import type { Attributes } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { attributeValueString, escapeLabelValue } from './format.js';
import { prometheusLabel } from './naming.js';

// One exposition line's labels: built, sorted and compared the way client_golang does (labels sorted by name,
// series by label values), with per-metric layouts so the common case costs one concatenation per attribute.

export interface Series {
  /** `name="value",...` sorted by label name, without braces. */
  readonly labels: string;
  /** Label values in label-name order joined by NUL: client_golang sorts series by these. */
  readonly sortKey: string;
  readonly labelCount: number;
  readonly point: MetricData['dataPoints'][number];
}

/**
 * How the data points of one attribute-key list turn into label text: label names sorted, the constant scope/job
 * labels pre-rendered, so a point costs one concatenation per attribute. Points of one metric nearly always share
 * a key list, so this is built once per metric.
 */
export interface Layout {
  /** Attribute keys in the order the point's attributes object lists them (the cache key). */
  readonly keyOrder: readonly string[];
  /** Attribute keys in label-name order: the slots. */
  readonly slots: readonly string[];
  /** Constant label text before each slot and after the last (length slots + 1). */
  readonly text: readonly string[];
  /** Constant NUL-joined values before each slot and after the last, for the sort key. */
  readonly sortText: readonly string[];
  readonly labelCount: number;
  /** Sorted label names joined, to detect two key lists yielding the same label names. */
  readonly namesSig: string;
  /** Two keys map to one label name: the collector drops such points. */
  readonly invalid: boolean;
}

const labelCache = new Map<string, string>();

export function labelName(key: string): string {
  let name = labelCache.get(key);
  if (name === undefined) {
    name = prometheusLabel(key);
    if (labelCache.size < 10_000) labelCache.set(key, name);
  }
  return name;
}

/** Builds the sorted label string; returns undefined when two keys map to one label name (the collector drops those). */
export function buildSeries(pairs: [string, string][], point: Series['point']): Series | undefined {
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let labels = '';
  let sortKey = '';
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i] as [string, string];
    if (i > 0) {
      if ((pairs[i - 1] as [string, string])[0] === name) return undefined;
      labels += ',';
      sortKey += '\u0000';
    }
    labels += `${name}="${escapeLabelValue(value)}"`;
    sortKey += value;
  }
  return { labels, sortKey, labelCount: pairs.length, point };
}

/** True when `attrs` lists exactly `keys`, in that order (no allocation on the hot path). */
export function sameKeys(attrs: Attributes, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in attrs) {
    if (keys[i] !== key) return false;
    i++;
  }
  return i === keys.length;
}

export function pairsOf(attrs: Attributes, scopePairs: readonly [string, string][]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const key in attrs) {
    const value = attrs[key];
    if (value !== undefined) pairs.push([labelName(key), attributeValueString(value)]);
  }
  for (const p of scopePairs) pairs.push(p);
  return pairs;
}

export function buildLayout(keyOrder: readonly string[], scopePairs: readonly [string, string][]): Layout {
  // Each label: its name, and either an attribute key (a slot) or a constant value.
  const labels: { name: string; key?: string; value?: string }[] = keyOrder.map((key) => ({ name: labelName(key), key }));
  for (const [name, value] of scopePairs) labels.push({ name, value });
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const invalid = labels.some((l, i) => i > 0 && labels[i - 1]?.name === l.name);
  const slots: string[] = [];
  const text: string[] = [];
  const sortText: string[] = [];
  let t = '';
  let st = '';
  labels.forEach((l, i) => {
    if (i > 0) {
      t += ',';
      st += '\u0000';
    }
    t += `${l.name}="`;
    if (l.key === undefined) {
      t += `${escapeLabelValue(l.value ?? '')}"`;
      st += l.value ?? '';
    } else {
      slots.push(l.key);
      text.push(t);
      sortText.push(st);
      t = '"';
      st = '';
    }
  });
  text.push(t);
  sortText.push(st);
  return { keyOrder, slots, text, sortText, labelCount: labels.length, namesSig: labels.map((l) => l.name).join(','), invalid };
}

/** Drops series whose labels repeat an earlier one (first wins), as client_golang's gatherer does. */
export function dedupe(series: Series[]): void {
  const seen = new Set<string>();
  let w = 0;
  for (const s of series) {
    if (seen.has(s.labels)) continue;
    seen.add(s.labels);
    series[w++] = s;
  }
  series.length = w;
}

export function compareSeries(a: Series, b: Series): number {
  if (a.labelCount !== b.labelCount) return a.labelCount - b.labelCount;
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}
