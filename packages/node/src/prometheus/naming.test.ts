import { describe, expect, it } from 'vitest';
import { prometheusLabel, prometheusMetricName, prometheusName, prometheusNameForKind } from './naming.js';

// Expected values follow github.com/prometheus/otlptranslator (UnderscoreEscapingWithSuffixes), which the
// collector's prometheus exporter uses by default.
describe('prometheusMetricName', () => {
  it.each([
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
    ['system.filesystem.usage', 'By', 'gauge', 'system_filesystem_usage_bytes'],
    ['requests.count', '1', 'monotonic_sum', 'requests_count_total'],
    ['cpu.utilization', '1', 'gauge', 'cpu_utilization_ratio'],
    ['queue.fill', '1', 'non_monotonic_sum', 'queue_fill'],
    ['command.retries', '{retry}', 'monotonic_sum', 'command_retries_total'],
    ['command.active', '{command}', 'non_monotonic_sum', 'command_active'],
    ['network.io', 'By/s', 'gauge', 'network_io_bytes_per_second'],
    ['packets', '{packet}/s', 'monotonic_sum', 'packets_per_second_total'],
    ['rate', '1/s', 'gauge', 'rate_per_second'],
    ['duration.seconds', 's', 'histogram', 'duration_seconds'],
    ['http.requests.total', '', 'monotonic_sum', 'http_requests_total'],
    ['total.requests', '', 'monotonic_sum', 'requests_total'],
    ['foo__bar..baz', 'ms', 'gauge', 'foo_bar_baz_milliseconds'],
    ['2xx.responses', '', 'gauge', '_2xx_responses'],
    ['memory', 'MiBy', 'gauge', 'memory_mebibytes'],
    ['temp', 'Cel', 'gauge', 'temp_celsius'],
    ['disk.util', '%', 'gauge', 'disk_util_percent'],
    ['odd', 'foo.bar', 'gauge', 'odd_foo_bar'],
    ['ratio.already', '1', 'gauge', 'already_ratio'],
  ] as const)('%s [%s, %s] → %s', (name, unit, type, expected) => {
    expect(prometheusMetricName(name, unit, type)).toBe(expected);
  });

  it('keeps the catalog-level helpers consistent', () => {
    expect(prometheusName('command.duration', 's', 'histogram')).toBe('command_duration_seconds');
    expect(prometheusName('command.retries', '{retry}', 'counter')).toBe('command_retries_total');
    expect(prometheusName('projection.status', '1', 'gauge')).toBe('projection_status_ratio');
    expect(prometheusNameForKind('queue.fill', '1', 'up_down_counter')).toBe('queue_fill');
    expect(prometheusNameForKind('projection.status', '1', 'state_set')).toBe('projection_status_ratio');
    expect(prometheusMetricName('x', 's', 'gauge', 'ns')).toBe('ns_x_seconds');
  });
});

describe('prometheusLabel', () => {
  it.each([
    ['http.request.method', 'http_request_method'],
    ['3d', 'key_3d'],
    ['_private', 'key_private'],
    ['__reserved', '__reserved'],
    ['a-b/c', 'a_b_c'],
    ['ünï', 'key_n_'],
  ])('%s → %s', (key, expected) => {
    expect(prometheusLabel(key)).toBe(expected);
  });
});
