import type { DashboardSpec } from '../artifacts/types.js';
import { OTELCOL } from './pipeline-alerts.js';

// "otelkit / Telemetry pipeline": what the pipeline alerts (pipeline-alerts.ts) watch, drawn — otelkit's exports,
// dropped spans and overflowing instruments from each app (selfCatalog), and the OpenTelemetry Collector's own
// accepted, refused, sent and failed figures and queues (job "otelcol"). `pnpm generate` writes it to
// collector/grafana/dashboards/pipeline.json.

const W = '$__rate_interval';
/** A counter that only exists once something happened reads 0 rather than "no data" while its app reports. */
const orZero = (expr: string, by: string): string => `${expr} or sum by (${by}) (rate({{otelkit.exports}}[${W}])) * 0`;
const collector = (metric: string, by: string): string => `sum by (${by}) (rate(${metric}{${OTELCOL}}[${W}]))`;
/** The collector creates its failure counters at the first failure: until then they read 0 beside what was sent. */
const failed = (metric: string, sent: string, by: string): string => `${collector(metric, by)} or ${collector(sent, by)} * 0`;

export const pipelineDashboard: DashboardSpec = {
  id: 'pipeline',
  title: 'otelkit / Telemetry pipeline',
  description:
    'Is telemetry arriving? otelkit\'s export attempts, dropped spans and cardinality overflows in each app, and the collector\'s accepted, refused, sent and failed data and queues (job "otelcol").',
  tags: ['pipeline'],
  variableMetric: 'otelkit.exports',
  rows: [
    {
      title: 'otelkit in the apps',
      panels: [
        {
          title: 'Export attempts per second by signal and outcome',
          unit: 'ops',
          targets: [{ expr: `sum by (job, otelkit_signal, otelkit_outcome) (rate({{otelkit.exports}}[${W}]))`, legend: '{{job}} {{otelkit_signal}} {{otelkit_outcome}}' }],
        },
        {
          title: 'Failed share of exports',
          unit: 'percentunit',
          min: 0,
          targets: [
            {
              expr: `(sum by (job, otelkit_signal) (rate({{otelkit.exports}}{otelkit_outcome="failure"}[${W}])) or sum by (job, otelkit_signal) (rate({{otelkit.exports}}[${W}])) * 0) / sum by (job, otelkit_signal) (rate({{otelkit.exports}}[${W}]))`,
              legend: '{{job}} {{otelkit_signal}}',
            },
          ],
        },
        {
          title: 'Spans dropped per second by reason',
          unit: 'short',
          min: 0,
          targets: [{ expr: orZero(`sum by (job, otelkit_reason) (rate({{otelkit.spans.dropped}}[${W}]))`, 'job'), legend: '{{job}} {{otelkit_reason}}' }],
        },
        {
          title: 'Instruments over the cardinality limit (last hour)',
          unit: 'short',
          min: 0,
          targets: [{ expr: orZero('sum by (job, otelkit_instrument) (increase({{otelkit.metric.overflows}}[1h]))', 'job'), legend: '{{job}} {{otelkit_instrument}}' }],
        },
      ],
    },
    {
      title: 'Collector (job "otelcol")',
      panels: [
        {
          title: 'Spans accepted and refused per second',
          unit: 'short',
          targets: [
            { expr: collector('otelcol_receiver_accepted_spans', 'receiver'), legend: 'accepted {{receiver}}' },
            { expr: collector('otelcol_receiver_refused_spans', 'receiver'), legend: 'refused {{receiver}}' },
          ],
        },
        {
          title: 'Metric points accepted and refused per second',
          unit: 'short',
          targets: [
            { expr: collector('otelcol_receiver_accepted_metric_points', 'receiver'), legend: 'accepted {{receiver}}' },
            { expr: collector('otelcol_receiver_refused_metric_points', 'receiver'), legend: 'refused {{receiver}}' },
          ],
        },
        {
          title: 'Sent and failed per second by exporter',
          unit: 'short',
          targets: [
            { expr: collector('otelcol_exporter_sent_spans', 'exporter'), legend: 'spans sent {{exporter}}' },
            { expr: failed('otelcol_exporter_send_failed_spans', 'otelcol_exporter_sent_spans', 'exporter'), legend: 'spans failed {{exporter}}' },
            { expr: collector('otelcol_exporter_sent_metric_points', 'exporter'), legend: 'points sent {{exporter}}' },
            { expr: failed('otelcol_exporter_send_failed_metric_points', 'otelcol_exporter_sent_metric_points', 'exporter'), legend: 'points failed {{exporter}}' },
          ],
        },
        {
          title: 'Exporter queue fill',
          unit: 'percentunit',
          min: 0,
          max: 1,
          targets: [{ expr: `max by (instance, exporter) (otelcol_exporter_queue_size{${OTELCOL}} / otelcol_exporter_queue_capacity{${OTELCOL}})`, legend: '{{instance}} {{exporter}}' }],
        },
        {
          title: 'Collector memory (RSS)',
          unit: 'bytes',
          targets: [{ expr: `max by (instance) (otelcol_process_memory_rss{${OTELCOL}})`, legend: '{{instance}}' }],
        },
        {
          title: 'Collector CPU cores in use',
          unit: 'short',
          min: 0,
          targets: [{ expr: `sum by (instance) (rate(otelcol_process_cpu_seconds{${OTELCOL}}[${W}]))`, legend: '{{instance}}' }],
        },
      ],
    },
  ],
};
