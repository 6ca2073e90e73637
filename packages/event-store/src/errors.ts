import { CONCURRENCY_ERROR_NAMES, errorClassName } from '@otelkit/node/kit';
import type { EventStoreOutcome } from './catalog.js';

/** The error's class name for `error.type` (bundler `_Name` prefixes stripped), else its `name`, else `Error`. */
export function errorTypeOf(error: unknown): string {
  return errorClassName(error) ?? 'Error';
}

/** `conflict` for a wrong expected stream version (optimistic concurrency), else `failure`. */
export function outcomeOfError(error: unknown): Exclude<EventStoreOutcome, 'success'> {
  if (typeof error !== 'object' || error === null) return 'failure';
  if (CONCURRENCY_ERROR_NAMES.has(errorTypeOf(error))) return 'conflict';
  const e = error as { name?: unknown; errorCode?: unknown; type?: unknown };
  if (typeof e.name === 'string' && CONCURRENCY_ERROR_NAMES.has(e.name)) return 'conflict';
  // Emmett's ConcurrencyError code, KurrentDB's ErrorType.WRONG_EXPECTED_VERSION.
  if (e.errorCode === 412 || e.type === 'wrong-expected-version') return 'conflict';
  return 'failure';
}

/** KurrentDB signals reading a stream that does not exist with an error; for metrics that is an empty read. */
export function isStreamNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { type?: unknown }).type === 'stream-not-found' || errorTypeOf(error) === 'StreamNotFoundError');
}
