import type { AlertSpec } from '../artifacts/types.js';
import { collectorServicesGone, cpuCores, eventLoopDelayQuantile, eventLoopUtilization, heapUsedRatio, pullTargetsDown, restarts } from './queries.js';

// Health and resource alerts for the service itself, from core's runtime catalog; `pnpm generate` writes them to
// collector/prometheus/rules/service.rules.yml. Every alert but the collector-path one is per process (job,
// instance), so with both metric paths on, one process can raise it twice: once as job "app", once under its
// service name.

export const runtimeAlerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitInstanceDown',
    expr: pullTargetsDown(),
    for: '2m',
    severity: 'critical',
    summary: 'The app\'s pull endpoint {{ $labels.instance }} is down.',
    description: 'Prometheus has failed to scrape the otelkit pull endpoint {{ $labels.instance }} (job {{ $labels.job }}) for 2 minutes: the process is not running, not listening, or not reachable.',
    runbook: 'Check that the process runs and listens on the pull port (OTEL_EXPORTER_PROMETHEUS_PORT, default 9464): `curl {{ $labels.instance }}/metrics`. Prometheus\'s Targets page shows the scrape error.',
  },
  {
    alert: 'OtelkitServiceDown',
    expr: collectorServicesGone(),
    for: '2m',
    severity: 'critical',
    summary: 'Service {{ $labels.job }} no longer reports through the collector.',
    description: 'No instance of {{ $labels.job }} has sent metrics over OTLP for longer than the collector keeps them (metric_expiration, 5 minutes), although it did within the last day and the collector itself is up.',
    runbook: 'Check whether the service runs; if it does, its OTLP export fails: look for "otelkit:" warnings in its log and at `otelkit doctor`, and at otelcol_receiver_refused_metric_points on the collector.',
  },
  {
    alert: 'OtelkitEventLoopDelayHigh',
    expr: `${eventLoopDelayQuantile(0.99)} > 0.2`,
    for: '10m',
    severity: 'warning',
    summary: 'Event loop delay p99 of {{ $labels.instance }} is {{ $value | humanizeDuration }} ({{ $labels.job }}).',
    description: 'The 99th percentile of the event loop delay has been above 200 ms for 10 minutes: callbacks wait that long before they run, and every request served by this process waits with them.',
    runbook: 'Take a CPU profile (`node --cpu-prof`, or the inspector) and look for long synchronous work: JSON of large payloads, sync crypto or fs, big loops. Compare with event loop utilization and GC time on the same instance.',
  },
  {
    alert: 'OtelkitEventLoopSaturated',
    expr: `(${eventLoopUtilization()}) > 0.9`,
    for: '15m',
    severity: 'warning',
    summary: 'Event loop of {{ $labels.instance }} is busy {{ $value | humanizePercentage }} of the time ({{ $labels.job }}).',
    description: 'The event loop has been active more than 90% of the time for 15 minutes: the process is at the limit of what one thread can do, and latency grows with any more load.',
    runbook: 'Scale out (more instances or worker threads), or find the hot path with a CPU profile. If CPU is low while utilization is high, the loop waits in synchronous I/O.',
  },
  {
    alert: 'OtelkitHeapNearLimit',
    expr: `(${heapUsedRatio()}) > 0.9`,
    for: '10m',
    severity: 'critical',
    summary: 'Heap of {{ $labels.instance }} is at {{ $value | humanizePercentage }} of its limit ({{ $labels.job }}).',
    description: 'The V8 heap in use has stayed above 90% of its size limit for 10 minutes: garbage collection no longer frees enough, and the process is close to dying of out-of-memory.',
    runbook: 'Take a heap snapshot (`node --heapsnapshot-signal=SIGUSR2`) and look for what grows: caches without a bound, listeners, retained requests. Raising --max-old-space-size only buys time.',
  },
  {
    alert: 'OtelkitFrequentRestarts',
    expr: `${restarts()} > 2`,
    for: '1m',
    severity: 'warning',
    summary: '{{ $labels.instance }} restarted {{ $value }} times in 30 minutes ({{ $labels.job }}).',
    description: 'process.uptime went back to zero more than twice in 30 minutes: the process crashes or is killed and restarted. Restarts are seen per series, so on the collector path only when service.instance.id stays the same across restarts (otelkit\'s default is a new id per process).',
    runbook: 'Read the exit reason in the supervisor (systemd, Kubernetes: OOMKilled, exit codes) and the last lines of the log before each start; compare with heap and event loop alerts on the same instance.',
  },
  {
    alert: 'OtelkitCpuSaturated',
    expr: `${cpuCores()} > 0.9`,
    for: '15m',
    severity: 'warning',
    summary: 'CPU use of {{ $labels.instance }} is {{ $value | humanizePercentage }} of one core ({{ $labels.job }}).',
    description: 'The process has used more than 0.9 of a CPU core (user + system) for 15 minutes. JavaScript runs on one thread, so past one core the event loop cannot keep up.',
    runbook: 'Take a CPU profile; check GC time (a full heap collects constantly) and whether the host gives the process a whole core (container CPU limits).',
  },
];
