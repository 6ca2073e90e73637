import type { DashboardSpec } from '../artifacts/types.js';
import { BY_INSTANCE, cpuCores, eventLoopDelayQuantile, eventLoopUtilization, heapUsedRatio, restarts } from './queries.js';

// "otelkit / Service": the service as a whole, the first dashboard the seed guides open — instances, requests,
// errors, latency, event loop, heap, GC, CPU, memory, restarts — from core's runtime catalog and the http pack's
// catalog, with the same queries the service alerts use (queries.ts). Its `job` variable lists both metric paths:
// `app` (the pull endpoint) and the service's own name (the collector path).

const W = '$__rate_interval';
const BY_JOB = 'job';
const requests = (selector: string, by: string): string => `sum by (${by}) (rate({{http.server.request.duration:count}}${selector}[${W}]))`;
const latency = (q: number): string => `histogram_quantile(${q}, sum by (${BY_JOB}, le) (rate({{http.server.request.duration:bucket}}[${W}])))`;

export const serviceDashboard: DashboardSpec = {
  id: 'service',
  title: 'otelkit / Service',
  description:
    'The service as a whole: instances, request and error rate, latency, event loop, heap, GC, CPU, memory, restarts. Works on both metric paths: job "app" is the pull endpoint, the service name the collector path.',
  tags: ['service'],
  variableMetric: 'process.uptime',
  rows: [
    {
      title: 'Instances',
      panels: [
        { title: 'Instances reporting', kind: 'stat', width: 6, targets: [{ expr: `count by (${BY_JOB}) ({{process.uptime}})`, legend: '{{job}}' }] },
        { title: 'Restarts in the last 30 minutes', kind: 'stat', width: 6, targets: [{ expr: `sum by (${BY_JOB}) (${restarts('30m')})`, legend: '{{job}}' }] },
        { title: 'Uptime', unit: 's', targets: [{ expr: `max by (${BY_INSTANCE}) ({{process.uptime}})`, legend: '{{job}} {{instance}}' }] },
      ],
    },
    {
      title: 'Requests (http pack)',
      panels: [
        { title: 'Requests per second by status', unit: 'reqps', stacked: true, targets: [{ expr: requests('', 'http_response_status_code'), legend: '{{http_response_status_code}}' }] },
        {
          title: 'Error ratio (5xx)',
          unit: 'percentunit',
          min: 0,
          targets: [{ expr: `(${requests('{http_response_status_code=~"5.."}', BY_JOB)} or ${requests('', BY_JOB)} * 0) / ${requests('', BY_JOB)}`, legend: '{{job}}' }],
        },
        { title: 'Latency p50 / p95 / p99', unit: 's', targets: [0.5, 0.95, 0.99].map((q) => ({ expr: latency(q), legend: `p${Math.round(q * 100)} {{job}}` })) },
        { title: 'Requests per second by route', unit: 'reqps', targets: [{ expr: requests('', 'http_request_method, http_route'), legend: '{{http_request_method}} {{http_route}}' }] },
      ],
    },
    {
      title: 'Event loop',
      panels: [
        {
          title: 'Event loop delay p50 / p99',
          unit: 's',
          targets: [
            { expr: eventLoopDelayQuantile(0.5, W), legend: 'p50 {{instance}}' },
            { expr: eventLoopDelayQuantile(0.99, W), legend: 'p99 {{instance}}' },
          ],
        },
        { title: 'Event loop utilization', unit: 'percentunit', min: 0, max: 1, targets: [{ expr: eventLoopUtilization(W), legend: '{{job}} {{instance}}' }] },
      ],
    },
    {
      title: 'Memory and CPU',
      panels: [
        {
          title: 'Heap used vs limit',
          unit: 'bytes',
          targets: [
            { expr: `sum by (${BY_INSTANCE}) ({{v8js.memory.heap.used}})`, legend: 'used {{instance}}' },
            { expr: `sum by (${BY_INSTANCE}) ({{v8js.memory.heap.size_limit}})`, legend: 'limit {{instance}}' },
          ],
        },
        { title: 'Heap used, share of its limit', unit: 'percentunit', min: 0, targets: [{ expr: heapUsedRatio(), legend: '{{job}} {{instance}}' }] },
        { title: 'GC time per second', unit: 's', targets: [{ expr: `sum by (${BY_INSTANCE}) (rate({{v8js.gc.duration:sum}}[${W}]))`, legend: '{{instance}}' }] },
        { title: 'CPU cores in use', unit: 'short', min: 0, targets: [{ expr: cpuCores(W), legend: '{{job}} {{instance}}' }] },
        { title: 'Resident memory (RSS)', unit: 'bytes', width: 24, targets: [{ expr: `sum by (${BY_INSTANCE}) ({{process.memory.usage}})`, legend: '{{job}} {{instance}}' }] },
      ],
    },
  ],
};
