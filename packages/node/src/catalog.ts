/** The kinds of instrument a catalog can declare. `state_set` is a gauge with one 0/1 series per state. */
export type InstrumentKind = 'counter' | 'up_down_counter' | 'histogram' | 'gauge' | 'state_set';

/** One attribute a metric carries. Metric attributes must have bounded values. */
export interface AttributeDefinition {
  /** Attribute key, dot-separated OTel style, e.g. `command.outcome`. */
  readonly key: string;
  /** The closed set of values, when known. Dashboards and rules use it; recording other values is allowed. */
  readonly values?: readonly string[];
  /** Present only on some data points (e.g. `error.type` only on failures). */
  readonly optional?: boolean;
  readonly description?: string;
}

/** One metric of a pack, as the single source of truth for instruments, docs, dashboards and rules. */
export interface MetricDefinition {
  /** OTel name without namespace: dot-separated, lower case, no `_total`/`.count`. */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit: `s` for durations, `{event}` style annotations for counts. */
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
  /** Explicit histogram bucket boundaries (histograms only), in the metric's unit. */
  readonly buckets?: readonly number[];
  /** For `state_set`: the attribute whose closed value set lists the states. */
  readonly stateAttribute?: string;
}

export type Catalog = readonly MetricDefinition[];

/** Seconds-scale buckets used for every histogram with unit `s` unless a catalog says otherwise. */
export const SECONDS_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Identity helper that keeps a catalog's literal types. */
export function defineCatalog<const C extends Catalog>(catalog: C): C {
  return catalog;
}

/** The closed value set of attribute `K` on metric `M` of catalog `C`, as a string union. */
export type AttributeValues<C extends Catalog, M extends C[number]['name'], K extends string> =
  Extract<Extract<C[number], { readonly name: M }>['attributes'][number], { readonly key: K }> extends {
    readonly values: readonly (infer V)[];
  }
    ? V
    : string;
