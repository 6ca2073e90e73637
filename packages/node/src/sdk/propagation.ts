import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { PropagatorName } from '../types.js';

/**
 * Installs the global propagator. W3C propagators are in core; B3 is imported only when asked for, so the
 * global is set first without it and replaced once the module has loaded.
 */
export async function installPropagators(setting: readonly PropagatorName[] | TextMapPropagator): Promise<void> {
  if (!Array.isArray(setting)) {
    propagation.setGlobalPropagator(setting as TextMapPropagator);
    return;
  }
  const names = setting as readonly PropagatorName[];
  const sync = (): TextMapPropagator[] => {
    const out: TextMapPropagator[] = [];
    if (names.includes('tracecontext')) out.push(new W3CTraceContextPropagator());
    if (names.includes('baggage')) out.push(new W3CBaggagePropagator());
    return out;
  };
  if (names.includes('none') && names.length === 1) return;
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: sync() }));
  if (names.includes('b3') || names.includes('b3multi')) {
    const { B3Propagator, B3InjectEncoding } = await import('@opentelemetry/propagator-b3');
    const b3: TextMapPropagator[] = [];
    if (names.includes('b3')) b3.push(new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }));
    if (names.includes('b3multi')) b3.push(new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }));
    propagation.disable();
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [...sync(), ...b3] }));
  }
}

export function describePropagators(setting: readonly PropagatorName[] | TextMapPropagator): string {
  return Array.isArray(setting) ? (setting as readonly PropagatorName[]).join(',') : 'custom';
}
