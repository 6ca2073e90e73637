// Build-time only: turns pack catalogs and specs into README tables, Grafana dashboards and Prometheus rules.
// `start()` never imports this module.
export { buildDashboard, dashboardUid, GRAFANA_SCHEMA_VERSION, SERVICE_DASHBOARD_UID } from './dashboard.js';
export type { BuildDashboardOptions, GrafanaDashboard } from './dashboard.js';
export { buildRules, rulesToYaml } from './rules.js';
export { BURN_RATES, buildSloRules, errorRatioRecord, SLO_BUDGET_PERIOD, SLO_WINDOWS, sloDashboard, sloErrorRatio } from './slo.js';
export type { BuildSloRulesOptions, EventSloSpec, LatencySloSpec, SloRuleFile, SloSpec } from './slo.js';
export type { BuildRulesOptions, PrometheusRule, PrometheusRuleFile } from './rules.js';
export { CATALOG_END, CATALOG_START, metricTable, replaceCatalogSection } from './readme.js';
export { expandPromQL, familyName, metricNamesIn } from './promql.js';
// Core's own catalog and alerts, generated into the service rule file like a pack's.
export { runtimeAlerts } from '../runtime/alerts.js';
export { runtimeCatalog } from '../runtime/catalog.js';
export { serviceDashboard } from '../runtime/dashboards.js';
// otelkit's own metrics and the pipeline alerts over them and the collector's.
export { COLLECTOR_METRICS, pipelineAlerts } from '../sdk/pipeline-alerts.js';
export { pipelineDashboard } from '../sdk/pipeline-dashboard.js';
export { selfCatalog } from '../sdk/self-catalog.js';
export { runtimeQueries } from '../runtime/queries.js';
// The server side of databases, caches and hosts (collector/receivers.yaml).
export { SERVER_JOBS, servers } from '../servers/index.js';
export type { ServerArtifacts } from '../servers/index.js';
export type { ExpandOptions } from './promql.js';
export type {
  AlertSeverity, AlertSpec, DashboardSpec, PanelSpec, PanelUnit, QuerySpec, RowSpec, StateTimelineSpec,
} from './types.js';
