import type { Catalog } from '../catalog.js';

// otelkit's own metrics (self-telemetry): what SelfTelemetry records, and what the pipeline alerts
// (pipeline-alerts.ts) read. Names, units and attributes live here only.
export const selfCatalog = [
  {
    name: 'otelkit.exports',
    kind: 'counter',
    unit: '{export}',
    description: 'Export attempts by otelkit exporters, by signal, exporter and outcome (success/failure).',
    attributes: [
      { key: 'otelkit.signal', values: ['metrics', 'traces'] },
      { key: 'otelkit.exporter', description: 'The exporter and where it sends, e.g. otlp(grpc http://collector:4317).' },
      { key: 'otelkit.outcome', values: ['success', 'failure'] },
    ],
  },
  {
    name: 'otelkit.spans.dropped',
    kind: 'counter',
    unit: '{span}',
    description: 'Spans that never reached an exporter: queue full, or their export failed.',
    attributes: [{ key: 'otelkit.reason', values: ['queue_full', 'export_failed'] }],
  },
  {
    name: 'otelkit.metric.overflows',
    kind: 'counter',
    unit: '{instrument}',
    description: 'Instruments that exceeded the cardinality limit; their extra attribute sets are merged into one otel.metric.overflow=true series.',
    attributes: [{ key: 'otelkit.instrument', description: 'The instrument that overflowed.' }],
  },
  {
    name: 'otelkit.metric.callbacks.late',
    kind: 'counter',
    unit: '{callback}',
    description: 'Observable metric callbacks that had not settled when a collection (a scrape or a push) timed out; that collection went out without their values.',
    attributes: [],
  },
] as const;

selfCatalog satisfies Catalog;
