// Cache lookups the app reports: what no client instrumentation can know (a Redis GET that returns nil is a
// successful command, not a miss). `cache.operations` by cache name and outcome; the hit ratio is hit / all.
import type { Attributes, Counter, Meter, Tracer } from '@opentelemetry/api';
import { createInstruments, createLateBinding } from '@otelkit/node/kit';
import { catalog, type CacheOutcome } from './catalog.js';

const [, , , , , operationsDef] = catalog;
const SCOPE = '@otelkit/db';
const LIMIT = 100;

interface Binding {
  readonly operations: Counter;
  readonly unbind: () => void;
}

const late = createLateBinding(SCOPE, (meter: Meter): Binding => ({
  operations: createInstruments(meter, [operationsDef])['cache.operations'],
  unbind: () => undefined,
}));

/** Binds the cache API to core's meter (the pack's setup); returns the function that unbinds. */
export function bindCache(meter: Meter, tracer: Tracer): () => void {
  return late.bindTo(meter, tracer, '', {});
}

type Sets = Readonly<Record<CacheOutcome, Attributes>>;

function makeSets(name: string): Sets {
  const of = (outcome: CacheOutcome): Attributes => Object.freeze({ 'cache.name': name, 'cache.outcome': outcome });
  return { hit: of('hit'), miss: of('miss'), error: of('error') };
}

const OTHER = makeSets('_OTHER');
const byName = new Map<string, Sets>();

function setsOf(name: string): Sets {
  const sets = byName.get(name);
  if (sets !== undefined) return sets;
  if (byName.size >= LIMIT || typeof name !== 'string' || name === '') return OTHER;
  const made = makeSets(name);
  byName.set(name, made);
  return made;
}

/** Counts one lookup of cache `name`: a hit or a miss. */
export function cacheLookup(name: string, hit: boolean): void {
  late.current().operations.add(1, setsOf(name)[hit ? 'hit' : 'miss']);
}

/** Counts one lookup of cache `name` that failed (the cache was unreachable), so the app fell back to the source. */
export function cacheError(name: string): void {
  late.current().operations.add(1, setsOf(name).error);
}

/** What `cached()` reads, loads and writes. */
export interface CachedOptions<T> {
  /** Reads the cache; `undefined` or `null` is a miss. */
  readonly get: () => T | null | undefined | PromiseLike<T | null | undefined>;
  /** Reads the source of truth on a miss. */
  readonly load: () => T | PromiseLike<T>;
  /** Writes what `load` returned into the cache; awaited before `cached()` resolves. */
  readonly set?: (value: T) => unknown;
}

/**
 * Read-through caching with the lookup counted: `get`, and on a miss `load` then `set`. A `get` that throws counts as
 * `error` and falls back to `load` (a cache outage degrades to the source, it does not fail the read); errors of
 * `load` reach the caller; a failing `set` is ignored for the same reason as `get`.
 */
export async function cached<T>(name: string, options: CachedOptions<T>): Promise<T> {
  let value: T | null | undefined;
  try {
    value = await options.get();
  } catch {
    cacheError(name);
    return options.load();
  }
  if (value !== undefined && value !== null) {
    cacheLookup(name, true);
    return value;
  }
  cacheLookup(name, false);
  const loaded = await options.load();
  if (options.set !== undefined) {
    try {
      await options.set(loaded);
    } catch {
      // The value is served from the source; the next read misses again.
    }
  }
  return loaded;
}
