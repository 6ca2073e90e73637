import type { AlertSpec } from '../artifacts/types.js';
import { BY_INSTANCE } from '../runtime/queries.js';

// Alerts on the telemetry pipeline itself, so a silent loss of telemetry pages someone: otelkit's self-telemetry
// (selfCatalog, from each app) and the OpenTelemetry Collector's own metrics (job "otelcol"; the collector 0.161
// names them without `_total`). `pnpm generate` writes them to collector/prometheus/rules/pipeline.rules.yml.
// otelkit's counters are read from both metric paths; when the collector is what fails, only the pull path has them.

/** The collector's own telemetry, scraped by collector/prometheus/prometheus.yml. */
export const OTELCOL = 'job="otelcol"';

/** The collector's own metrics the pipeline alerts and dashboard read, as the collector names them (no `_total`). */
export const COLLECTOR_METRICS: readonly string[] = [
  'otelcol_receiver_accepted_spans',
  'otelcol_receiver_refused_spans',
  'otelcol_receiver_accepted_metric_points',
  'otelcol_receiver_refused_metric_points',
  'otelcol_exporter_sent_spans',
  'otelcol_exporter_send_failed_spans',
  'otelcol_exporter_sent_metric_points',
  'otelcol_exporter_send_failed_metric_points',
  'otelcol_exporter_queue_size',
  'otelcol_exporter_queue_capacity',
  'otelcol_process_memory_rss',
  'otelcol_process_cpu_seconds',
];

export const pipelineAlerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitExportsFailing',
    // A ratio with a floor: at least one attempt per minute must have been made in the window.
    expr:
      `(sum by (${BY_INSTANCE}, otelkit_signal) (rate({{otelkit.exports}}{otelkit_outcome="failure"}[10m])) / sum by (${BY_INSTANCE}, otelkit_signal) (rate({{otelkit.exports}}[10m]))) > 0.5\n` +
      `and sum by (${BY_INSTANCE}, otelkit_signal) (rate({{otelkit.exports}}[10m])) > 1/60`,
    for: '10m',
    severity: 'warning',
    summary: 'More than half of the {{ $labels.otelkit_signal }} exports of {{ $labels.instance }} fail ({{ $labels.job }}).',
    description: 'For 10 minutes over half of otelkit\'s {{ $labels.otelkit_signal }} export attempts failed: that telemetry is being dropped. The app itself is unaffected.',
    runbook: 'Look for "otelkit: ... export ... failed" lines in the app\'s log (at most one a minute) and run `otelkit doctor`; check the collector is up and reachable at the OTLP endpoint, and its TLS settings.',
  },
  {
    alert: 'OtelkitSpansDropped',
    expr: `sum by (${BY_INSTANCE}, otelkit_reason) (increase({{otelkit.spans.dropped}}[10m])) > 0`,
    for: '5m',
    severity: 'warning',
    summary: '{{ $labels.instance }} dropped {{ $value | humanize }} spans in 10 minutes ({{ $labels.otelkit_reason }}, {{ $labels.job }}).',
    description: 'Spans are being dropped: queue_full means the exporter cannot keep up with the span rate (or the collector is unreachable), export_failed that batches were refused.',
    runbook: 'For queue_full: sample traces (OTEL_TRACES_SAMPLER=parentbased_traceidratio), or raise OTEL_BSP_MAX_QUEUE_SIZE; check the collector\'s refused spans. For export_failed: see OtelkitExportsFailing.',
  },
  {
    alert: 'OtelkitMetricOverflow',
    expr: `sum by (${BY_INSTANCE}, otelkit_instrument) (increase({{otelkit.metric.overflows}}[1h])) > 0`,
    for: '0m',
    severity: 'warning',
    summary: 'Instrument {{ $labels.otelkit_instrument }} of {{ $labels.instance }} exceeded the cardinality limit ({{ $labels.job }}).',
    description: 'The instrument has more attribute sets than OTELKIT_CARDINALITY_LIMIT; further sets are merged into one otel.metric.overflow="true" series, so per-label figures for them are lost.',
    runbook: 'Find the unbounded attribute (an id, a raw path, a user-supplied value) on the instrument and bound it; raise OTELKIT_CARDINALITY_LIMIT only if the sets are legitimately many.',
  },
  {
    alert: 'OtelkitCollectorExportFailing',
    expr: `sum by (job, instance, exporter) (rate(otelcol_exporter_send_failed_spans{${OTELCOL}}[5m])) > 0\nor sum by (job, instance, exporter) (rate(otelcol_exporter_send_failed_metric_points{${OTELCOL}}[5m])) > 0`,
    for: '10m',
    severity: 'warning',
    summary: 'Collector exporter {{ $labels.exporter }} fails to send ({{ $labels.instance }}).',
    description: 'For 10 minutes the collector has failed to send spans or metric points through {{ $labels.exporter }}: after its retries and queue, that telemetry is lost.',
    runbook: 'Check the backend behind the exporter (Jaeger, Prometheus, the gateway tier) is up and reachable from the collector; the collector\'s log names the error.',
  },
  {
    alert: 'OtelkitCollectorRefusing',
    expr: `sum by (job, instance, receiver) (rate(otelcol_receiver_refused_spans{${OTELCOL}}[5m])) > 0\nor sum by (job, instance, receiver) (rate(otelcol_receiver_refused_metric_points{${OTELCOL}}[5m])) > 0`,
    for: '5m',
    severity: 'warning',
    summary: 'Collector receiver {{ $labels.receiver }} refuses data ({{ $labels.instance }}).',
    description: 'The collector refuses incoming spans or metric points, usually because its memory_limiter is at its limit: the apps see export failures and drop what they cannot resend.',
    runbook: 'Check the collector\'s memory (otelcol_process_memory_rss) against the memory_limiter settings; scale the collector out or give it more memory; see the apps\' OtelkitExportsFailing.',
  },
  {
    alert: 'OtelkitCollectorQueueNearlyFull',
    expr: `max by (job, instance, exporter) (otelcol_exporter_queue_size{${OTELCOL}} / otelcol_exporter_queue_capacity{${OTELCOL}}) > 0.8`,
    for: '5m',
    severity: 'warning',
    summary: 'Collector exporter {{ $labels.exporter }} queue is {{ $value | humanizePercentage }} full ({{ $labels.instance }}).',
    description: 'The sending queue of {{ $labels.exporter }} has been over 80% full for 5 minutes: the backend is slower than the incoming data, and once the queue is full new batches are dropped.',
    runbook: 'Check the backend\'s latency and errors; raise sending_queue.queue_size or num_consumers, or scale the collector out.',
  },
];
