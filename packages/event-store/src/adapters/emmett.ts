import { instrumentEventStore } from '../instrument.js';
import type { InstrumentEventStoreOptions } from '../types.js';

/**
 * Instruments an Emmett `EventStore` (`getInMemoryEventStore()`, `getPostgreSQLEventStore(...)`, or any other
 * implementation of Emmett's interface). `system` defaults to `emmett.inmemory` or `emmett.postgresql` by the
 * store's shape, else `emmett`. Appends write W3C `traceparent` plus Emmett's `traceId`/`spanId` into metadata.
 */
export function instrumentEmmettEventStore<S extends object>(store: S, options: Partial<InstrumentEventStoreOptions> = {}): S {
  const system = options.system ?? ('dumbo' in store || 'schema' in store ? 'emmett.postgresql' : 'database' in store ? 'emmett.inmemory' : 'emmett');
  return instrumentEventStore(store, { ...options, system });
}
