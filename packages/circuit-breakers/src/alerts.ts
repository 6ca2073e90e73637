import type { AlertSpec } from '@otelkit/node/artifacts';

const BY = 'job, circuit_breaker_name';
const calls = (selector: string): string => `sum by (${BY}) (rate({{circuit_breaker.calls}}${selector}[5m]))`;

export const alerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitCircuitBreakerOpen',
    // half_open counts as not closed: a breaker whose probes keep failing alternates open/half_open.
    expr: `max by (${BY}) ({{circuit_breaker.state}}{circuit_breaker_state=~"open|half_open"}) == 1`,
    for: '5m',
    severity: 'critical',
    summary: 'Circuit breaker {{ $labels.circuit_breaker_name }} has not closed for 5 minutes ({{ $labels.job }}).',
    description: 'Breaker {{ $labels.circuit_breaker_name }} has been open (or half-open with failing probes) for more than 5 minutes: calls to the dependency it protects are being short-circuited.',
    runbook: 'Check the health of the dependency behind {{ $labels.circuit_breaker_name }}; the failure and timeout calls on the otelkit / Circuit breakers dashboard show what tripped it.',
  },
  {
    alert: 'OtelkitCircuitBreakerFlapping',
    expr: `sum by (${BY}) (increase({{circuit_breaker.transitions}}{circuit_breaker_state="open"}[15m])) >= 4`,
    for: '0m',
    severity: 'warning',
    summary: 'Circuit breaker {{ $labels.circuit_breaker_name }} opened {{ $value | humanize }} times in 15 minutes.',
    description: 'Breaker {{ $labels.circuit_breaker_name }} keeps opening and closing: the dependency is intermittently failing, or the thresholds are too tight for its normal error rate.',
    runbook: 'Compare the failure share with the breaker\'s errorThresholdPercentage / volume threshold; raise the volume threshold or fix the intermittent dependency.',
  },
  {
    alert: 'OtelkitCircuitBreakerRejectionsSustained',
    expr: `(${calls('{circuit_breaker_outcome="rejected"}')} / ${calls('')}) > 0.2\nand sum by (${BY}) (increase({{circuit_breaker.calls}}[5m])) >= 20`,
    for: '10m',
    severity: 'warning',
    summary: 'Circuit breaker {{ $labels.circuit_breaker_name }} rejects {{ $value | humanizePercentage }} of calls.',
    description: 'More than 20% of calls through {{ $labels.circuit_breaker_name }} were rejected without being attempted, for 10 minutes, with at least 20 calls per 5 minutes: users see fallbacks or errors.',
    runbook: 'The breaker is doing its job; find out why the dependency fails (failure and timeout outcomes) and whether the fallback is acceptable for this long.',
  },
];
