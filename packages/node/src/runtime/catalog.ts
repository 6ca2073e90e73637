import type { Catalog } from '../catalog.js';

// Runtime metrics under their OpenTelemetry semantic-convention names (semconv 1.45, nodejs.* / v8js.* /
// process.*). Collectors read name, unit and description from here; docs and dashboards can too.

export const runtimeCatalog = [
  { name: 'nodejs.eventloop.delay.min', kind: 'gauge', unit: 's', description: 'Event loop minimum delay.', attributes: [] },
  { name: 'nodejs.eventloop.delay.max', kind: 'gauge', unit: 's', description: 'Event loop maximum delay.', attributes: [] },
  { name: 'nodejs.eventloop.delay.mean', kind: 'gauge', unit: 's', description: 'Event loop mean delay.', attributes: [] },
  { name: 'nodejs.eventloop.delay.stddev', kind: 'gauge', unit: 's', description: 'Event loop standard deviation delay.', attributes: [] },
  { name: 'nodejs.eventloop.delay.p50', kind: 'gauge', unit: 's', description: 'Event loop 50 percentile delay.', attributes: [] },
  { name: 'nodejs.eventloop.delay.p90', kind: 'gauge', unit: 's', description: 'Event loop 90 percentile delay.', attributes: [] },
  { name: 'nodejs.eventloop.delay.p99', kind: 'gauge', unit: 's', description: 'Event loop 99 percentile delay.', attributes: [] },
  { name: 'nodejs.eventloop.utilization', kind: 'gauge', unit: '1', description: 'Event loop utilization since the previous collection.', attributes: [] },
  {
    name: 'nodejs.eventloop.time',
    kind: 'counter',
    unit: 's',
    description: 'Cumulative duration of time the event loop has been in each state.',
    attributes: [{ key: 'nodejs.eventloop.state', values: ['active', 'idle'] }],
  },
  {
    name: 'v8js.gc.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Garbage collection duration.',
    attributes: [{ key: 'v8js.gc.type', values: ['major', 'minor', 'incremental', 'weakcb'] }],
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
  },
  { name: 'v8js.memory.heap.used', kind: 'up_down_counter', unit: 'By', description: 'Heap memory size allocated.', attributes: [{ key: 'v8js.heap.space.name', description: 'V8 heap space, e.g. new_space, old_space.' }] },
  { name: 'v8js.memory.heap.space.size', kind: 'up_down_counter', unit: 'By', description: 'Total heap memory size pre-allocated for a heap space.', attributes: [{ key: 'v8js.heap.space.name', description: 'V8 heap space, e.g. new_space, old_space.' }] },
  { name: 'v8js.memory.heap.space.available_size', kind: 'up_down_counter', unit: 'By', description: 'Heap space available size.', attributes: [{ key: 'v8js.heap.space.name', description: 'V8 heap space, e.g. new_space, old_space.' }] },
  { name: 'v8js.memory.heap.space.physical_size', kind: 'up_down_counter', unit: 'By', description: 'Committed size of a heap space.', attributes: [{ key: 'v8js.heap.space.name', description: 'V8 heap space, e.g. new_space, old_space.' }] },
  { name: 'process.cpu.time', kind: 'counter', unit: 's', description: 'Total CPU seconds broken down by CPU mode.', attributes: [{ key: 'cpu.mode', values: ['user', 'system'] }] },
  {
    name: 'process.cpu.utilization',
    kind: 'gauge',
    unit: '1',
    description: 'CPU time since the previous collection, divided by the elapsed time and the CPUs available to the process.',
    attributes: [{ key: 'cpu.mode', values: ['user', 'system'] }],
  },
  { name: 'process.memory.usage', kind: 'up_down_counter', unit: 'By', description: 'The amount of physical memory in use (resident set size).', attributes: [] },
  { name: 'process.uptime', kind: 'gauge', unit: 's', description: 'The time the process has been running.', attributes: [] },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
runtimeCatalog satisfies Catalog;

export type RuntimeMetricName = (typeof runtimeCatalog)[number]['name'];
