import type { AlertSpec } from '@otelkit/node/artifacts';

const COUNT = '{{command.duration:count}}';
const BY = 'job, command_type';
const rate = (selector: string): string => `sum by (${BY}) (rate(${COUNT}${selector}[5m]))`;
// Ratios only fire with enough traffic to mean something: at least 20 commands of the type in 5 minutes.
const GUARD = `sum by (${BY}) (increase(${COUNT}[5m])) >= 20`;

export const alerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitCommandErrorRatioHigh',
    expr: `(${rate('{command_outcome="failure"}')} / ${rate('')}) > 0.05\nand ${GUARD}`,
    for: '5m',
    severity: 'critical',
    summary: 'Command {{ $labels.command_type }} fails in {{ $value | humanizePercentage }} of calls ({{ $labels.job }}).',
    description: 'More than 5% of {{ $labels.command_type }} commands ended with outcome "failure" (unexpected errors, not domain rejections or conflicts) over the last 5 minutes, with at least 20 commands.',
    runbook: 'Open the otelkit / Commands dashboard, filter by the command type, then find failing spans named "command {{ $labels.command_type }}" in Jaeger; the error.type label names the exception class.',
  },
  {
    alert: 'OtelkitCommandLatencyP95High',
    expr: `histogram_quantile(0.95, sum by (${BY}, le) (rate({{command.duration:bucket}}[5m]))) > 1\nand ${GUARD}`,
    for: '10m',
    severity: 'warning',
    summary: 'Command {{ $labels.command_type }} p95 latency is {{ $value | humanizeDuration }} ({{ $labels.job }}).',
    description: 'The 95th percentile of {{ $labels.command_type }} handling time has been above 1 s for 10 minutes, with at least 20 commands per 5 minutes.',
    runbook: 'Compare with the event store append latency (otelkit / Event store dashboard) and with the slowest command spans in Jaeger to see whether the store, a downstream call or the handler is slow.',
  },
  {
    alert: 'OtelkitCommandConflictRatioHigh',
    expr: `(${rate('{command_outcome="conflict"}')} / ${rate('')}) > 0.1\nand ${GUARD}`,
    for: '10m',
    severity: 'warning',
    summary: 'Command {{ $labels.command_type }} hits optimistic-concurrency conflicts in {{ $value | humanizePercentage }} of calls.',
    description: 'More than 10% of {{ $labels.command_type }} commands failed with a wrong expected stream version over 10 minutes: several writers compete for the same streams.',
    runbook: 'Look for hot streams (many commands on one aggregate) in the command spans; consider retrying on conflict, smaller aggregates, or routing commands for one stream to one worker.',
  },
];
