// The Emmett event store: in memory by default, PostgreSQL when DATABASE_URL is set. Either way, committed events
// reach the projector through an inline projection that only enqueues them (the real work happens asynchronously).
import { getInMemoryEventStore, projection, projections, type EventStore } from '@event-driven-io/emmett';
import { ACCOUNT_EVENT_TYPES, type AccountEvent } from './domain.ts';
import type { BankEvent, Projector } from './projections.ts';

export interface BankStore {
  readonly store: EventStore;
  /** `emmett.inmemory` or `emmett.postgresql`, as the event-store pack names systems. */
  readonly system: string;
  close(): Promise<void>;
}

export async function createStore(projector: Projector, databaseUrl: string | undefined): Promise<BankStore> {
  const feed = projection<AccountEvent>({
    name: 'projector-feed',
    canHandle: [...ACCOUNT_EVENT_TYPES],
    handle: (events) => {
      projector.publish(events as unknown as BankEvent[]);
    },
  });
  const inline = projections.inline([feed]);
  if (databaseUrl === undefined || databaseUrl === '') {
    return { store: getInMemoryEventStore({ projections: inline }), system: 'emmett.inmemory', close: () => Promise.resolve() };
  }
  // Loaded only when asked for, so the in-memory default does not pay for the pg driver.
  const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
  const store = getPostgreSQLEventStore(databaseUrl, { projections: inline });
  return { store, system: 'emmett.postgresql', close: () => store.close() };
}
