import type { Attributes, Counter, Gauge, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { SECONDS_BUCKETS, type Catalog, type MetricDefinition } from './catalog.js';

/** Records the 0/1 series of a state set: `set(attrs, 'open')` sets `open` to 1 and every other state to 0. */
export interface StateSet {
  set(state: string, attributes?: Attributes): void;
}

type InstrumentFor<D extends MetricDefinition> = D['kind'] extends 'counter'
  ? Counter
  : D['kind'] extends 'up_down_counter'
    ? UpDownCounter
    : D['kind'] extends 'histogram'
      ? Histogram
      : D['kind'] extends 'gauge'
        ? Gauge
        : StateSet;

/** Instruments of a catalog, keyed by the catalog's OTel names (without namespace). */
export type Instruments<C extends Catalog> = { readonly [D in C[number] as D['name']]: InstrumentFor<D> };

function prefixed(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}.${name}`;
}

/** Creates one instrument per catalog entry; the catalog is the only place names, units and buckets live. */
export function createInstruments<const C extends Catalog>(meter: Meter, catalog: C, namespace = ''): Instruments<C> {
  const out: Record<string, unknown> = {};
  for (const def of catalog) {
    const name = prefixed(namespace, def.name);
    const opts = { description: def.description, unit: def.unit };
    switch (def.kind) {
      case 'counter':
        out[def.name] = meter.createCounter(name, opts);
        break;
      case 'up_down_counter':
        out[def.name] = meter.createUpDownCounter(name, opts);
        break;
      case 'gauge':
        out[def.name] = meter.createGauge(name, opts);
        break;
      case 'histogram': {
        const buckets = def.buckets ?? (def.unit === 's' ? SECONDS_BUCKETS : undefined);
        out[def.name] = meter.createHistogram(name, buckets ? { ...opts, advice: { explicitBucketBoundaries: [...buckets] } } : opts);
        break;
      }
      case 'state_set':
        out[def.name] = createStateSet(meter, name, def);
        break;
    }
  }
  return out as Instruments<C>;
}

function createStateSet(meter: Meter, name: string, def: MetricDefinition): StateSet {
  const key = def.stateAttribute;
  const states = def.attributes.find((a) => a.key === key)?.values;
  if (key === undefined || states === undefined || states.length === 0) {
    throw new TypeError(`otelkit: state set ${def.name} needs stateAttribute naming an attribute with closed values`);
  }
  const gauge = meter.createGauge(name, { description: def.description, unit: def.unit });
  return {
    set(state: string, attributes: Attributes = {}): void {
      for (const s of states) gauge.record(s === state ? 1 : 0, { ...attributes, [key]: s });
    },
  };
}
