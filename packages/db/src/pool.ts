// pg-pool (2.x, 3.x; `pg.Pool` extends it): connections by state, the pool's max and the requests waiting for a
// connection, read from the pool's own counters when metrics are collected — nothing is recorded per query. A pool
// is seen on its first `connect()` (which `pool.query()` calls too), so pools made before the pack started count.
import { PrototypePatch } from '@otelkit/node/kit';
import type { Attributes, BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import { catalog } from './catalog.js';

/** The parts of a pg-pool `Pool` the pack reads. */
export interface PgPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly ending?: boolean;
  readonly ended?: boolean;
  readonly options?: { readonly max?: number; readonly host?: string; readonly port?: number | string; readonly database?: string; readonly connectionString?: string };
}

const seen = new WeakSet<PgPool>();
const pools = new Set<WeakRef<PgPool>>();

function track(pool: PgPool): void {
  if (seen.has(pool)) return;
  seen.add(pool);
  pools.add(new WeakRef(pool));
}

/** `<host>:<port>/<database>` from the pool's options (pg's defaults where they say nothing). */
export function poolName(options: PgPool['options']): string {
  let host = options?.host;
  let port = options?.port === undefined ? undefined : String(options.port);
  let database = options?.database;
  if (options?.connectionString !== undefined) {
    try {
      const url = new URL(options.connectionString);
      host ??= decodeURIComponent(url.hostname) || undefined;
      port ??= url.port || undefined;
      database ??= decodeURIComponent(url.pathname.slice(1)) || undefined;
    } catch {
      // Not a URL (a libpq key=value string): the name falls back to the defaults below.
    }
  }
  return `${host ?? 'localhost'}:${port ?? '5432'}/${database ?? ''}`;
}

/** `connect` of pg-pool's Pool prototype, wrapped to learn of each pool. */
export const pgPoolPatch: PrototypePatch = new PrototypePatch('otelkit.db.pg-pool.connect', 'connect', (original) =>
  function connect(this: unknown): unknown {
    track(this as PgPool);
    // eslint-disable-next-line prefer-rest-params -- forwarding without copying the arguments
    return Reflect.apply(original, this, arguments);
  });

/** Tells the pack of a pool directly (a pool whose class was loaded before the pack could wrap it). */
export function trackPgPool(pool: PgPool): void {
  track(pool);
}

interface PoolSets {
  readonly idle: Attributes;
  readonly used: Attributes;
  readonly pool: Attributes;
}

const [, countDef, maxDef, pendingDef] = catalog;
const sets = new Map<string, PoolSets>();

function setsOf(name: string): PoolSets {
  let s = sets.get(name);
  if (s === undefined) {
    const pool = Object.freeze({ 'db.client.connection.pool.name': name });
    s = {
      idle: Object.freeze({ ...pool, 'db.client.connection.state': 'idle' }),
      used: Object.freeze({ ...pool, 'db.client.connection.state': 'used' }),
      pool,
    };
    sets.set(name, s);
  }
  return s;
}

/** Registers the three pool instruments as observables; returns what unregisters them. */
export function observePools(meter: Meter): () => void {
  const count = meter.createObservableUpDownCounter(countDef.name, { description: countDef.description, unit: countDef.unit });
  const max = meter.createObservableUpDownCounter(maxDef.name, { description: maxDef.description, unit: maxDef.unit });
  const pending = meter.createObservableUpDownCounter(pendingDef.name, { description: pendingDef.description, unit: pendingDef.unit });
  const callback: BatchObservableCallback = (result) => {
    // Pools with one name (two pools on one database) are summed: one series per name.
    const totals = new Map<string, { idle: number; used: number; max: number; pending: number }>();
    for (const ref of pools) {
      const pool = ref.deref();
      if (pool === undefined || pool.ended === true) {
        pools.delete(ref);
        continue;
      }
      const name = poolName(pool.options);
      const t = totals.get(name) ?? { idle: 0, used: 0, max: 0, pending: 0 };
      t.idle += pool.idleCount;
      t.used += pool.totalCount - pool.idleCount;
      t.max += pool.options?.max ?? 10;
      t.pending += pool.waitingCount;
      totals.set(name, t);
    }
    for (const [name, t] of totals) {
      const s = setsOf(name);
      result.observe(count, t.idle, s.idle);
      result.observe(count, t.used, s.used);
      result.observe(max, t.max, s.pool);
      result.observe(pending, t.pending, s.pool);
    }
  };
  const observables: Observable[] = [count, max, pending];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
