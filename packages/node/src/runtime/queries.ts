// The service-level PromQL over core's runtime catalog, written once: the service alerts use these, and so can a
// dashboard. Metric references are `{{otel.name}}` templates, so `expandPromQL` gives each metric the Prometheus name
// both export paths produce and checks every label against the catalog.

/** Labels that identify one process on either metric path. */
export const BY_INSTANCE = 'job, instance';

/** The scrape jobs of collector/prometheus/prometheus.yml; their names are part of the contract. */
export const JOBS: { readonly app: string; readonly collector: string; readonly others: readonly string[] } = Object.freeze({
  /** The app's own pull endpoint: `job="app"`, `instance` = the scraped address. */
  app: 'app',
  /** The collector's prometheus exporter, scraped with honor_labels: `job` = service.namespace/service.name. */
  collector: 'otel-collector',
  /** The collector's own telemetry and Prometheus itself: never an otelkit service. */
  others: ['otelcol', 'prometheus'],
});

/** p`q` of the event loop delay (seconds) over `window`. */
export function eventLoopDelayQuantile(q: number, window: string = '5m', by: string = BY_INSTANCE): string {
  return `histogram_quantile(${q}, sum by (${by}, le) (rate({{nodejs.eventloop.delay:bucket}}[${window}])))`;
}

/** Event loop utilization (0–1): the active share of the loop's time over `window`. */
export function eventLoopUtilization(window: string = '5m', by: string = BY_INSTANCE): string {
  const time = (selector: string): string => `sum by (${by}) (rate({{nodejs.eventloop.time}}${selector}[${window}]))`;
  return `${time('{nodejs_eventloop_state="active"}')} / ${time('')}`;
}

/** CPU cores in use (user + system) over `window`. */
export function cpuCores(window: string = '5m', by: string = BY_INSTANCE): string {
  return `sum by (${by}) (rate({{process.cpu.time}}[${window}]))`;
}

/** Heap in use as a fraction (0–1) of V8's heap size limit. */
export function heapUsedRatio(by: string = BY_INSTANCE): string {
  return `sum by (${by}) ({{v8js.memory.heap.used}}) / sum by (${by}) ({{v8js.memory.heap.size_limit}})`;
}

/** Process restarts within `window`: how often `process.uptime` went back to zero in one series. */
export function restarts(window: string = '30m', by: string = BY_INSTANCE): string {
  return `sum by (${by}) (resets({{process.uptime}}[${window}]))`;
}

/** 1 per target of the app's own pull job whose last scrape failed. */
export function pullTargetsDown(): string {
  return `up{job="${JOBS.app}"} == 0`;
}

/**
 * One series per service (job) that reported through the collector within `lookback` and reports no longer. Every
 * otelkit app sends `process.uptime`; it leaves the collector's exposition when the service's last instance stops
 * (after metric_expiration). `target_info` would not do: the collector's span metrics keep a service's target_info
 * alive as long as they keep its span series (their own expiration), and servers scraped through the collector have
 * one too. The lookback bounds how long a service that is gone for good keeps the alert firing.
 */
export function collectorServicesGone(lookback: string = '1d'): string {
  const uptime = `{{process.uptime}}{job!="${JOBS.app}"}`;
  return `group by (job) (max_over_time(${uptime}[${lookback}]))\nunless on (job) group by (job) (${uptime})`
    // While the collector itself cannot be scraped every service looks gone; that is the pipeline's alert, not theirs.
    + `\nand on () (max(up{job="${JOBS.collector}"}) == 1)`;
}

/** The runtime queries a reader of the README needs, in the order of its table. */
export const runtimeQueries: readonly { readonly what: string; readonly expr: string }[] = [
  { what: 'event loop delay p99', expr: eventLoopDelayQuantile(0.99) },
  { what: 'event loop utilization', expr: eventLoopUtilization() },
  { what: 'CPU cores in use', expr: cpuCores() },
  { what: 'heap in use, share of its limit', expr: heapUsedRatio() },
  { what: 'restarts in the last 30 minutes', expr: restarts() },
];
