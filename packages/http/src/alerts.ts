import type { AlertSpec } from '@otelkit/node/artifacts';

const SERVER = '{{http.server.request.duration:count}}';
const CLIENT = '{{http.client.request.duration:count}}';

export const alerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitHttpServer5xxRatioHigh',
    expr: `(sum by (job) (rate(${SERVER}{http_response_status_code=~"5.."}[5m])) / sum by (job) (rate(${SERVER}[5m]))) > 0.05
and sum by (job) (increase(${SERVER}[5m])) >= 20`,
    for: '5m',
    severity: 'critical',
    summary: '{{ $labels.job }} answers {{ $value | humanizePercentage }} of HTTP requests with 5xx.',
    description: 'More than 5% of inbound HTTP requests to {{ $labels.job }} ended with a 5xx status over 5 minutes, with at least 20 requests.',
    runbook: 'Open the otelkit / HTTP dashboard for the failing routes, then the server spans with error status in Jaeger; the commands dashboard shows whether a command type is behind it.',
  },
  {
    alert: 'OtelkitHttpServerLatencyP95High',
    expr: `histogram_quantile(0.95, sum by (job, le) (rate({{http.server.request.duration:bucket}}[5m]))) > 1
and sum by (job) (increase(${SERVER}[5m])) >= 20`,
    for: '10m',
    severity: 'warning',
    summary: '{{ $labels.job }} HTTP p95 latency is {{ $value | humanizeDuration }}.',
    description: 'The 95th percentile of inbound HTTP request duration of {{ $labels.job }} has been above 1 s for 10 minutes, with at least 20 requests per 5 minutes.',
    runbook: 'Find the slow routes on the otelkit / HTTP dashboard (p95 by route) and the slowest server spans in Jaeger; check outbound calls and the event store latency.',
  },
  {
    alert: 'OtelkitHttpClientErrorRatioHigh',
    expr: `(sum by (job, server_address) (rate(${CLIENT}{error_type!=""}[5m])) / sum by (job, server_address) (rate(${CLIENT}[5m]))) > 0.1
and sum by (job, server_address) (increase(${CLIENT}[5m])) >= 20`,
    for: '10m',
    severity: 'warning',
    summary: '{{ $labels.job }} sees {{ $value | humanizePercentage }} errors calling {{ $labels.server_address }}.',
    description: 'More than 10% of outbound HTTP requests from {{ $labels.job }} to {{ $labels.server_address }} failed (4xx/5xx or transport error) over 10 minutes, with at least 20 requests per 5 minutes.',
    runbook: 'Check the health of {{ $labels.server_address }} and the error.type label (status code or error class); a circuit breaker around the call limits the damage.',
  },
];
