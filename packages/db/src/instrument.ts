import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Meter, Tracer } from '@opentelemetry/api';
import { createInstruments, type Logger } from '@otelkit/node/kit';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationModuleDefinition } from '@otelkit/node/instrumentation';
import { bindCache } from './cache.js';
import { catalog } from './catalog.js';
import type { ResolvedDbPackOptions } from './options.js';
import { pgQueryPatch } from './pg.js';
import { observePools, pgPoolPatch } from './pool.js';
import { recordRedis } from './redis.js';
import { useRecording } from './target.js';

const VERSION = '0.1.0';
const [durationDef, , , , transactionsDef] = catalog;

/** pg's Client class and pg-pool's Pool class from a module's exports (CommonJS, or an ESM namespace's default). */
function exportOf(moduleExports: unknown, key: string | undefined): { prototype?: unknown } | undefined {
  const pick = (m: unknown): unknown => (key === undefined ? m : (m as Record<string, unknown> | null)?.[key]);
  const direct = pick(moduleExports);
  if (typeof direct === 'function') return direct as { prototype?: unknown };
  const viaDefault = pick((moduleExports as { default?: unknown } | null)?.default);
  return typeof viaDefault === 'function' ? (viaDefault as { prototype?: unknown }) : undefined;
}

/** Patches pg and pg-pool when the app requires or imports them (hooks registered by `@otelkit/node/register`). */
class PgInstrumentation extends InstrumentationBase {
  constructor() {
    super('@otelkit/db/pg', VERSION, { enabled: false });
  }

  protected override init(): InstrumentationModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition('pg', ['>=8 <9'], (m: unknown) => {
        pgQueryPatch.apply(exportOf(m, 'Client')?.prototype);
        return m;
      }, (m: unknown) => pgQueryPatch.undo(exportOf(m, 'Client')?.prototype)),
      new InstrumentationNodeModuleDefinition('pg-pool', ['>=2 <4'], (m: unknown) => {
        pgPoolPatch.apply(exportOf(m, undefined)?.prototype);
        return m;
      }, (m: unknown) => pgPoolPatch.undo(exportOf(m, undefined)?.prototype)),
    ];
  }
}

/** pg and pg-pool the app loaded before otelkit's hooks were in place: looked up in the require cache, never loaded. */
function patchLoaded(fromDir: string): boolean {
  const req = createRequire(join(fromDir, 'package.json'));
  let any = false;
  for (const [name, key, patch] of [['pg', 'Client', pgQueryPatch], ['pg-pool', undefined, pgPoolPatch]] as const) {
    try {
      const loaded = req.cache[req.resolve(name)];
      if (loaded !== undefined) any = patch.apply(exportOf(loaded.exports, key)?.prototype) || any;
    } catch {
      // Not installed for this app.
    }
  }
  return any;
}

/** Starts what the options switch on; returns what stops it. */
export function startDbInstrumentations(options: ResolvedDbPackOptions, meter: Meter, tracer: Tracer, logger: Logger): (() => void)[] {
  const stops: (() => void)[] = [];
  const { 'db.client.operation.duration': duration, 'db.client.transactions': transactions } = createInstruments(meter, [durationDef, transactionsDef]);
  useRecording({ tracer, duration, transactions, queryText: options.queryText });
  stops.push(() => useRecording(undefined), bindCache(meter, tracer));
  if (options.postgresql) {
    const pg = new PgInstrumentation();
    pg.enable();
    if (patchLoaded(process.cwd())) logger.debug('otelkit: pg was loaded before otelkit started; patched the loaded copy');
    stops.push(() => {
      pg.disable();
      pgQueryPatch.undoAll();
      pgPoolPatch.undoAll();
    }, observePools(meter));
  }
  if (options.redis) stops.push(recordRedis());
  return stops;
}
