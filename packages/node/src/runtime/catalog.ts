import type { Catalog } from '../catalog.js';

// Runtime metrics under their OpenTelemetry semantic-convention names (semconv 1.45, nodejs.* / v8js.* /
// process.*). Collectors read name, unit and description from here; docs and dashboards can too.
//
// Every metric here is cumulative or an instantaneous reading, never "since the previous collection": the pull
// endpoint may be scraped by several Prometheus replicas while OTLP pushes on its own schedule, and they all share
// one collection, so a window kept in the process would be cut short by whichever reader came last. The semconv
// windowed gauges (nodejs.eventloop.delay.min/max/p99..., nodejs.eventloop.utilization, process.cpu.utilization)
// are replaced by what any window can be computed from: the delay histogram, and the time counters whose rate()
// is the utilization.

export const runtimeCatalog = [
  {
    name: 'nodejs.eventloop.delay',
    kind: 'histogram',
    unit: 's',
    description: 'Event loop delay: how late each timer turn of the loop ran, sampled every resolution interval (default 10 ms).',
    attributes: [],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  {
    name: 'nodejs.eventloop.time',
    kind: 'counter',
    unit: 's',
    description: 'Cumulative duration of time the event loop has been in each state; its rate by state is the event loop utilization.',
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
  {
    // Not a semconv name: semconv has no whole-heap limit (its deprecated `v8js.memory.heap.limit` was the per-space
    // size). Without it "heap near its limit" cannot be computed; V8 calls it heap_size_limit.
    name: 'v8js.memory.heap.size_limit',
    kind: 'up_down_counter',
    unit: 'By',
    description: 'The most the V8 heap may grow to (heap_size_limit, set by --max-old-space-size); the process dies of out-of-memory past it.',
    attributes: [],
  },
  { name: 'v8js.memory.heap.space.physical_size', kind: 'up_down_counter', unit: 'By', description: 'Committed size of a heap space.', attributes: [{ key: 'v8js.heap.space.name', description: 'V8 heap space, e.g. new_space, old_space.' }] },
  {
    name: 'process.cpu.time',
    kind: 'counter',
    unit: 's',
    description: 'Total CPU seconds broken down by CPU mode; its rate is the CPU cores in use.',
    attributes: [{ key: 'cpu.mode', values: ['user', 'system'] }],
  },
  { name: 'process.memory.usage', kind: 'up_down_counter', unit: 'By', description: 'The amount of physical memory in use (resident set size).', attributes: [] },
  { name: 'process.uptime', kind: 'gauge', unit: 's', description: 'The time the process has been running.', attributes: [] },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
runtimeCatalog satisfies Catalog;

export type RuntimeMetricName = (typeof runtimeCatalog)[number]['name'];
