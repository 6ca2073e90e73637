import type { BatchObservableResult } from '@opentelemetry/api';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { instrumentOptions, type RuntimeCollector } from './base.js';

/**
 * `v8js.memory.heap.used` and `v8js.memory.heap.space.{size,available_size,physical_size}` by heap space, and the
 * whole heap's `v8js.memory.heap.size_limit`.
 */
export const heap: RuntimeCollector = {
  name: 'heap',
  start(meter) {
    const used = meter.createObservableUpDownCounter('v8js.memory.heap.used', instrumentOptions('v8js.memory.heap.used'));
    const size = meter.createObservableUpDownCounter('v8js.memory.heap.space.size', instrumentOptions('v8js.memory.heap.space.size'));
    const available = meter.createObservableUpDownCounter(
      'v8js.memory.heap.space.available_size',
      instrumentOptions('v8js.memory.heap.space.available_size'),
    );
    const physical = meter.createObservableUpDownCounter(
      'v8js.memory.heap.space.physical_size',
      instrumentOptions('v8js.memory.heap.space.physical_size'),
    );
    const limit = meter.createObservableUpDownCounter('v8js.memory.heap.size_limit', instrumentOptions('v8js.memory.heap.size_limit'));
    const attributes = new Map<string, { 'v8js.heap.space.name': string }>();
    const callback = (result: BatchObservableResult): void => {
      for (const space of getHeapSpaceStatistics()) {
        let attrs = attributes.get(space.space_name);
        if (attrs === undefined) {
          attrs = { 'v8js.heap.space.name': space.space_name };
          attributes.set(space.space_name, attrs);
        }
        result.observe(used, space.space_used_size, attrs);
        result.observe(size, space.space_size, attrs);
        result.observe(available, space.space_available_size, attrs);
        result.observe(physical, space.physical_space_size, attrs);
      }
      result.observe(limit, getHeapStatistics().heap_size_limit);
    };
    const observables = [used, size, available, physical, limit];
    meter.addBatchObservableCallback(callback, observables);
    return () => meter.removeBatchObservableCallback(callback, observables);
  },
};
