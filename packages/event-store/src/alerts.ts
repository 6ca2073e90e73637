import type { AlertSpec } from '@otelkit/node/artifacts';

const COUNT = '{{eventstore.operation.duration:count}}';
// Ratios only fire with enough traffic to mean something: at least 20 operations in 5 minutes.
const guard = (by: string): string => `sum by (${by}) (increase(${COUNT}[5m])) >= 20`;

export const alerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitEventStoreAppendLatencyP99High',
    expr: `histogram_quantile(0.99, sum by (job, eventstore_system, le) (rate({{eventstore.operation.duration:bucket}}{eventstore_operation="append"}[5m]))) > 0.5
and sum by (job, eventstore_system) (increase(${COUNT}{eventstore_operation="append"}[5m])) >= 20`,
    for: '10m',
    severity: 'warning',
    summary: 'Event store {{ $labels.eventstore_system }} p99 append latency is {{ $value | humanizeDuration }} ({{ $labels.job }}).',
    description: 'The 99th percentile of appends to {{ $labels.eventstore_system }} has been above 500 ms for 10 minutes, with at least 20 appends per 5 minutes.',
    runbook: 'Check the store itself (database load, locks, connection pool saturation) and the batch sizes panel of the otelkit / Event store dashboard; large batches make appends slower.',
  },
  {
    alert: 'OtelkitEventStoreErrorRatioHigh',
    expr: `(sum by (job, eventstore_system, eventstore_operation) (rate(${COUNT}{eventstore_outcome="failure"}[5m]))
  / sum by (job, eventstore_system, eventstore_operation) (rate(${COUNT}[5m]))) > 0.05
and ${guard('job, eventstore_system, eventstore_operation')}`,
    for: '5m',
    severity: 'critical',
    summary: 'Event store {{ $labels.eventstore_system }} {{ $labels.eventstore_operation }} fails in {{ $value | humanizePercentage }} of calls.',
    description: 'More than 5% of {{ $labels.eventstore_operation }} operations on {{ $labels.eventstore_system }} failed (conflicts excluded) over 5 minutes, with at least 20 operations.',
    runbook: 'Look at the error.type label and the failing eventstore spans in Jaeger; connection errors point at the database, serialization errors at a recent deployment.',
  },
];
