// Specs a pack exports as `dashboards` and `alerts`. They are plain data so a pack can import the types without
// loading any builder code at runtime; `@otelkit/node/artifacts` turns them into Grafana JSON and rule YAML.
//
// PromQL in specs names metrics by their OTel catalog name in double braces, optionally with a histogram part and
// a label selector right after it: `{{command.duration:count}}{command_outcome="failure"}`. The builders replace
// the reference with the Prometheus name the collector produces (see `prometheusName`) and, in dashboards, add the
// dashboard's variable filters to the selector. An unknown name is an error, so artefacts never drift from the
// catalog.

/** Grafana unit ids used by otelkit panels (any Grafana unit id is accepted). */
export type PanelUnit = 's' | 'ops' | 'reqps' | 'percentunit' | 'short' | 'none' | (string & {});

/** One PromQL query of a panel. */
export interface QuerySpec {
  /** PromQL with `{{otel.name[:bucket|count|sum]}}` metric references. */
  readonly expr: string;
  /** Grafana legend format, e.g. `{{command_type}}`. */
  readonly legend?: string;
}

/** A state-set metric drawn as a state timeline: one row per entity, colour per state, states from the catalog. */
export interface StateTimelineSpec {
  /** OTel name of a `state_set` metric. */
  readonly metric: string;
  /** OTel attribute keys identifying one row, e.g. `['circuit_breaker.name']`. */
  readonly by: readonly string[];
  /** Grafana colour per state value; states without one get a default. */
  readonly colors?: Readonly<Record<string, string>>;
}

export interface PanelSpec {
  readonly title: string;
  readonly description?: string;
  /** @default 'timeseries' */
  readonly kind?: 'timeseries' | 'stat' | 'state-timeline';
  /** Grafana unit id. @default 'short' */
  readonly unit?: PanelUnit;
  /** Width in grid columns (of 24). @default 12 */
  readonly width?: number;
  /** Height in grid rows. @default 8 */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** Stack series (timeseries only). */
  readonly stacked?: boolean;
  /** Queries; for `state-timeline` give `states` instead. */
  readonly targets?: readonly QuerySpec[];
  readonly states?: StateTimelineSpec;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  readonly title: string;
  readonly description?: string;
  /** Becomes part of the deterministic UID; one per dashboard of a pack. @default the pack name */
  readonly id?: string;
  readonly tags?: readonly string[];
  /** OTel attribute key of the pack's main label; becomes a multi-value variable filtering every query. */
  readonly mainLabel?: string;
  /** OTel name of the metric whose series list the variable values. */
  readonly variableMetric: string;
  readonly rows: readonly RowSpec[];
}

export type AlertSeverity = 'critical' | 'warning' | 'info';

export interface AlertSpec {
  /** Alert name, PascalCase, unique across packs. */
  readonly alert: string;
  /** PromQL with `{{otel.name[:part]}}` references. Ratios must carry a minimum-traffic guard. */
  readonly expr: string;
  /** How long the condition must hold, e.g. `10m`. */
  readonly for: string;
  readonly severity: AlertSeverity;
  /** One line; may use `{{ $labels.x }}` and `{{ $value }}` templates. */
  readonly summary: string;
  readonly description: string;
  /** What to check first: a short runbook. */
  readonly runbook: string;
  readonly labels?: Readonly<Record<string, string>>;
}
