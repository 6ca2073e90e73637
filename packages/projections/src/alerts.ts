import type { AlertSpec } from '@otelkit/node/artifacts';

const BY = 'job, projection_name';

export const alerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitProjectionLagHigh',
    expr: `max by (${BY}) ({{projection.lag}}) > 300`,
    for: '5m',
    severity: 'warning',
    summary: 'Projection {{ $labels.projection_name }} is {{ $value | humanizeDuration }} behind ({{ $labels.job }}).',
    description: 'Events handled by {{ $labels.projection_name }} were more than 5 minutes old when handled, for 5 minutes: read models are stale.',
    runbook: 'Check the projection\'s handling latency and failed events on the otelkit / Projections dashboard; a slow read-model database or a burst of appends are the usual causes.',
  },
  {
    alert: 'OtelkitProjectionLagGrowing',
    expr: `max by (${BY}) (deriv({{projection.lag.events}}[10m])) > 0\nand max by (${BY}) ({{projection.lag.events}}) > 100`,
    for: '15m',
    severity: 'warning',
    summary: 'Projection {{ $labels.projection_name }} falls further behind the store ({{ $labels.job }}).',
    description: 'The number of events between the store head and the checkpoint of {{ $labels.projection_name }} has grown for 15 minutes and is above 100: the projection handles events more slowly than they are appended.',
    runbook: 'Compare the projection\'s events per second with the store\'s appended events per second; scale the projection out or speed up its handler.',
  },
  {
    alert: 'OtelkitProjectionStalled',
    expr: `max by (${BY}) ({{projection.lag.events}}) > 0\nunless sum by (${BY}) (increase({{projection.events}}{projection_outcome="processed"}[10m])) > 0`,
    for: '5m',
    severity: 'critical',
    summary: 'Projection {{ $labels.projection_name }} has processed no event for 10 minutes although {{ $value }} are waiting.',
    description: 'Events are waiting for {{ $labels.projection_name }} (lag in events > 0) but it processed none in the last 10 minutes, for 5 minutes in a row.',
    runbook: 'Check whether the projection\'s subscription is still running (status panel), whether one poison event fails over and over (failed events), and the service logs.',
  },
  {
    alert: 'OtelkitProjectionFailedEvents',
    expr: `sum by (${BY}) (increase({{projection.events}}{projection_outcome="failed"}[5m])) > 0`,
    for: '0m',
    severity: 'warning',
    summary: 'Projection {{ $labels.projection_name }} failed to handle {{ $value | humanize }} events in 5 minutes.',
    description: '{{ $labels.projection_name }} reported events with outcome "failed" in the last 5 minutes; its read model may be missing them.',
    runbook: 'Find the failing projection spans in Jaeger (they link to the command that appended the event) and read the error; fix and replay the events.',
  },
  {
    alert: 'OtelkitProjectionFailed',
    expr: `max by (${BY}) ({{projection.status}}{projection_state="failed"}) == 1`,
    for: '1m',
    severity: 'critical',
    summary: 'Projection {{ $labels.projection_name }} is in state failed ({{ $labels.job }}).',
    description: '{{ $labels.projection_name }} reports status "failed": it stopped handling events.',
    runbook: 'Read the service logs for the projection\'s last error, fix the cause, and restart the projection from its checkpoint.',
  },
];
