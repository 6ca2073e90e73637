// Error conventions of the libraries the packs instrument, kept in one place so every pack labels and classifies
// the same error the same way.

/**
 * An error's class name for `error.type`, else its `name`; undefined when it has neither.
 * Bundlers name self-referencing classes `_Name` (Emmett's errors are `class _ValidationError`): that is stripped.
 */
export function errorClassName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const ctor = (error as { constructor?: { name?: unknown } }).constructor;
  if (ctor !== undefined && typeof ctor.name === 'string' && ctor.name !== '' && ctor.name !== 'Object') return ctor.name.replace(/^_+(?=.)/, '');
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Class names of optimistic-concurrency errors: a write met a newer stream version than it expected. */
export const CONCURRENCY_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ExpectedVersionConflictError', // Emmett
  'ConcurrencyError', // Emmett base class
  'ConcurrencyInMemoryDatabaseError', // Emmett in-memory document store
  'WrongExpectedVersionError', // KurrentDB / EventStoreDB clients
  'OptimisticConcurrencyError',
  'VersionConflictError',
]);
