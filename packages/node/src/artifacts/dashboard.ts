import type { Catalog, MetricDefinition } from '../catalog.js';
import { prometheusLabel } from '../prometheus/naming.js';
import { expandPromQL, familyName } from './promql.js';
import type { DashboardSpec, PanelSpec, QuerySpec, StateTimelineSpec } from './types.js';

/** Grafana dashboard JSON (the subset otelkit writes), as plain data. */
export type GrafanaDashboard = Record<string, unknown>;

/** Grafana's dashboard schema version the generated JSON follows (Grafana 12.x/13, `@grafana/schema` 13). */
export const GRAFANA_SCHEMA_VERSION = 42;

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
const DEFAULT_STATE_COLORS = ['green', 'red', 'yellow', 'purple', 'blue', 'orange', 'dark-red', 'text'];

export interface BuildDashboardOptions {
  /** The pack's name: tags and the default UID come from it. */
  readonly pack: string;
  /** Every metric the dashboard may reference (its own pack's catalog, plus others it reads). */
  readonly catalog: Catalog;
  /** Metric namespace of the deployment (`OTELKIT_METRIC_NAMESPACE`); the committed dashboards use none. @default '' */
  readonly namespace?: string;
}

/** UID of the service overview dashboard ("otelkit / Service"), which every other dashboard links to. */
export const SERVICE_DASHBOARD_UID = 'otelkit-service';

/** Deterministic dashboard UID: stable across regenerations, so links and provisioning survive. */
export function dashboardUid(pack: string, id?: string): string {
  const uid = `otelkit-${id ?? pack}`;
  if (uid.length > 40) throw new Error(`otelkit: dashboard uid ${uid} is longer than Grafana's 40 characters`);
  return uid;
}

function metric(catalog: Catalog, otelName: string): MetricDefinition {
  const def = catalog.find((d) => d.name === otelName);
  if (def === undefined) throw new Error(`otelkit: dashboard references ${otelName}, which no catalog defines`);
  return def;
}

function variables(spec: DashboardSpec, catalog: Catalog, namespace: string): unknown[] {
  const def = metric(catalog, spec.variableMetric);
  const series = familyName(def, namespace) + (def.kind === 'histogram' ? '_count' : '');
  const query = (selector: string, label: string): Record<string, unknown> => {
    const q = `label_values(${series}${selector}, ${label})`;
    return { query: q, definition: q };
  };
  const list: unknown[] = [
    { type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus', hide: 0, refresh: 1, regex: '', options: [] },
    queryVariable('job', 'Service (job)', query('', 'job')),
    queryVariable('instance', 'Instance', query('{job=~"$job"}', 'instance')),
  ];
  if (spec.mainLabel !== undefined) {
    const label = prometheusLabel(spec.mainLabel);
    if (!def.attributes.some((a) => a.key === spec.mainLabel)) {
      throw new Error(`otelkit: main label ${spec.mainLabel} is not an attribute of ${spec.variableMetric}`);
    }
    list.push(queryVariable(label, spec.mainLabel, query('{job=~"$job", instance=~"$instance"}', label)));
  }
  return list;
}

function queryVariable(name: string, label: string, q: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'query', name, label, datasource: DATASOURCE, ...q,
    refresh: 2, includeAll: true, multi: true, allValue: '.*', sort: 1, hide: 0, regex: '', options: [],
  };
}

function stateTimelineTargets(states: StateTimelineSpec, catalog: Catalog): { targets: QuerySpec[]; mappings: unknown[] } {
  const def = metric(catalog, states.metric);
  const stateKey = def.stateAttribute;
  const values = def.attributes.find((a) => a.key === stateKey)?.values;
  if (def.kind !== 'state_set' || stateKey === undefined || values === undefined) {
    throw new Error(`otelkit: state timeline needs a state_set metric, ${states.metric} is not one`);
  }
  const by = ['job', 'instance', ...states.by.map(prometheusLabel)].join(', ');
  const stateLabel = prometheusLabel(stateKey);
  // One numeric series per entity: the index of the state whose 0/1 series is 1.
  const expr = values
    .map((v, i) => `(max by (${by}) ({{${states.metric}}}{${stateLabel}="${v}"} == 1) * ${i})`)
    .join(' or ');
  const legend = states.by.map((k) => `{{${prometheusLabel(k)}}}`).join(' ');
  const options: Record<string, unknown> = {};
  values.forEach((v, i) => {
    options[String(i)] = { text: v, color: states.colors?.[v] ?? DEFAULT_STATE_COLORS[i % DEFAULT_STATE_COLORS.length], index: i };
  });
  return { targets: [{ expr, legend }], mappings: [{ type: 'value', options }] };
}

function panelJson(p: PanelSpec, id: number, gridPos: Record<string, number>, expand: (e: string) => string, catalog: Catalog): Record<string, unknown> {
  const kind = p.kind ?? 'timeseries';
  let targets = p.targets ?? [];
  let mappings: unknown[] = [];
  if (kind === 'state-timeline') {
    if (p.states === undefined) throw new Error(`otelkit: state-timeline panel ${p.title} needs states`);
    ({ targets, mappings } = stateTimelineTargets(p.states, catalog));
  }
  if (targets.length === 0) throw new Error(`otelkit: panel ${p.title} has no queries`);
  const defaults: Record<string, unknown> = { unit: p.unit ?? 'short', mappings };
  if (p.min !== undefined) defaults['min'] = p.min;
  if (p.max !== undefined) defaults['max'] = p.max;
  let options: Record<string, unknown>;
  if (kind === 'timeseries') {
    defaults['custom'] = {
      drawStyle: 'line', lineWidth: 1, fillOpacity: p.stacked === true ? 30 : 10, showPoints: 'never', spanNulls: false,
      stacking: { mode: p.stacked === true ? 'normal' : 'none', group: 'A' },
    };
    options = { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } };
  } else if (kind === 'state-timeline') {
    defaults['color'] = { mode: 'thresholds' };
    defaults['custom'] = { fillOpacity: 80, lineWidth: 0 };
    options = { mergeValues: true, showValue: 'never', alignValue: 'left', rowHeight: 0.9, legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'single', sort: 'none' } };
  } else {
    defaults['color'] = { mode: 'thresholds' };
    defaults['thresholds'] = { mode: 'absolute', steps: [{ color: 'green', value: null }] };
    options = { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto', justifyMode: 'auto', orientation: 'auto' };
  }
  return {
    id, type: kind, title: p.title, ...(p.description === undefined ? {} : { description: p.description }),
    datasource: DATASOURCE, gridPos,
    fieldConfig: { defaults, overrides: [] },
    options,
    targets: targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i), datasource: DATASOURCE, editorMode: 'code', range: true,
      expr: expand(t.expr), legendFormat: t.legend ?? '__auto',
    })),
  };
}

/** Grafana dashboard JSON for one spec. Deterministic: the same inputs give byte-identical output. */
export function buildDashboard(spec: DashboardSpec, options: BuildDashboardOptions): GrafanaDashboard {
  const { catalog } = options;
  const namespace = options.namespace ?? '';
  const mainLabel = spec.mainLabel === undefined ? undefined : prometheusLabel(spec.mainLabel);
  const expand = (expr: string): string =>
    expandPromQL(expr, {
      catalog,
      namespace,
      matchers: (def) => {
        const m = ['job=~"$job"', 'instance=~"$instance"'];
        if (mainLabel !== undefined && def.attributes.some((a) => prometheusLabel(a.key) === mainLabel)) m.push(`${mainLabel}=~"$${mainLabel}"`);
        return m;
      },
    });
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const w = p.width ?? 12;
      const h = p.height ?? 8;
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panelJson(p, id++, { h, w, x, y }, expand, catalog));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    annotations: {
      list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }],
    },
    description: spec.description ?? `otelkit ${options.pack} pack`,
    editable: true,
    graphTooltip: 1,
    id: null,
    // Every domain dashboard links to the service overview, keeping the time range and the job/instance choice.
    links:
      dashboardUid(options.pack, spec.id) === SERVICE_DASHBOARD_UID
        ? []
        : [{ title: 'otelkit / Service', type: 'link', url: `/d/${SERVICE_DASHBOARD_UID}`, icon: 'dashboard', tooltip: 'The service as a whole', keepTime: true, includeVars: true, targetBlank: false, asDropdown: false, tags: [] }],
    panels,
    refresh: '30s',
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    tags: ['otelkit', options.pack, ...(spec.tags ?? [])],
    templating: { list: variables(spec, catalog, namespace) },
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: spec.title,
    uid: dashboardUid(options.pack, spec.id),
    version: 1,
  };
}
