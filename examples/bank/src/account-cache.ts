// A Redis read cache for account queries, when REDIS_URL is set (unset: reads go straight to the read model).
// `GET /accounts/:id` reads through it; the balance projection invalidates an account's entry whenever it folds an
// event in, so a read after `/admin/projections/settle` never sees a stale balance (one ioredis connection keeps
// the DEL ahead of the next GET). Hits and misses are counted by @otelkit/db's `cached()`; the Redis commands
// themselves are measured by the pack from ioredis' tracing channel.
import type { Redis } from 'ioredis';
import { cached } from '@otelkit/db';
import type { Balance } from './projections.ts';

export interface AccountCache {
  /** `redis` when a server is used, `none` otherwise (for /admin/status). */
  readonly kind: 'redis' | 'none';
  read(id: string, load: () => Balance | undefined): Promise<Balance | undefined>;
  /** The account changed: drop its entry. */
  invalidate(id: string): void;
  close(): Promise<void>;
}

const TTL_SECONDS = 300;
const key = (id: string): string => `bank:account:${id}`;

const NO_CACHE: AccountCache = {
  kind: 'none',
  read: (_id, load) => Promise.resolve(load()),
  invalidate: () => undefined,
  close: () => Promise.resolve(),
};

export async function createAccountCache(redisUrl: string | undefined): Promise<AccountCache> {
  if (redisUrl === undefined || redisUrl === '') return NO_CACHE;
  // Loaded only when asked for, so the in-memory demo does not pay for the client.
  const { Redis: Client } = await import('ioredis');
  const redis: Redis = new Client(redisUrl, { maxRetriesPerRequest: 1 });
  let warned = false;
  redis.on('error', (error: Error) => {
    // One line per outage, not one per reconnect attempt; reads fall back to the read model meanwhile.
    if (!warned) console.error(`bank: Redis at ${redisUrl} is unavailable (${error.message}); reading accounts from the read model`);
    warned = true;
  });
  redis.on('ready', () => (warned = false));
  await redis.ping();
  return {
    kind: 'redis',
    read: (id, load) =>
      cached<Balance | undefined>('accounts', {
        get: async () => {
          const text = await redis.get(key(id));
          return text === null ? undefined : (JSON.parse(text) as Balance);
        },
        load,
        // An unknown account is not cached: it may be opened a moment later.
        set: (value) => (value === undefined ? undefined : redis.set(key(id), JSON.stringify(value), 'EX', TTL_SECONDS)),
      }),
    invalidate: (id) => {
      redis.del(key(id)).catch(() => undefined);
    },
    close: async () => {
      await redis.quit().catch(() => undefined);
    },
  };
}
