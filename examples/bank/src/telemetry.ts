// The only place the bank talks to otelkit's explicit pack APIs. Everything else (HTTP server and client spans,
// opossum breakers, runtime metrics) is instrumented automatically because the packs are installed.
import type { EventStore } from '@event-driven-io/emmett';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { instrumentCircuitBreaker, type CockatielCircuitBreaker } from '@otelkit/circuit-breakers';
import { instrumentEventStore } from '@otelkit/event-store';
import { instrumentProjection, recordCheckpoint, setProjectionStatus } from '@otelkit/projections';
import type { BankEvent, ProjectionHandler } from './projections.ts';

/** Runs one command so the commands pack records its duration, outcome and span `command <type>`. */
export { recordRetry, withCommand } from '@otelkit/commands';

/** Wraps the store so appends/reads are measured and appended events carry the trace context. */
export function instrumentStore<S extends EventStore>(store: S, system: string): S {
  return instrumentEventStore(store, { system });
}

/** Wraps a projection handler: duration, outcome, lag, and a CONSUMER span linked to the appending span. */
export function instrumentProjectionHandler(
  name: string,
  handler: ProjectionHandler,
  options: { positionOf: (event: BankEvent) => bigint; headPosition: () => bigint },
): ProjectionHandler {
  return instrumentProjection(name, handler, {
    positionOf: options.positionOf,
    headPosition: options.headPosition,
    // Lag in seconds is measured from when the command decided the event.
    timestampOf: (event) => Date.parse(event.type === 'AccountOpened' ? event.data.openedAt : event.data.at),
  });
}

/** A projection stored its position (the projector checkpoints once per drained batch). */
export function checkpoint(name: string, position: bigint): void {
  recordCheckpoint(name, position);
}

export function projectionStopped(name: string): void {
  setProjectionStatus(name, 'stopped');
}

/** Cockatiel breakers have no hook to patch, so they are handed to the pack explicitly. */
export function instrumentBreaker(breaker: CircuitBreakerPolicy, name: string): CircuitBreakerPolicy {
  // The pack's structural type declares `execute(fn: (...args: never[]) => unknown)`, which cockatiel 4's
  // `execute(fn: (context) => T)` does not satisfy under strict function types; the runtime contract matches.
  instrumentCircuitBreaker(breaker as unknown as CockatielCircuitBreaker, { name });
  return breaker;
}
