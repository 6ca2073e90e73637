import { definePack, type PackDefinition } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { alerts } from './alerts.js';
import { bindEventStore } from './instrument.js';
import type { EventStorePackOptions } from './types.js';
import type { TraceContextKeys } from './trace-context.js';

function resolveOptions(raw: Readonly<Record<string, unknown>>, warn: (line: string) => void): EventStorePackOptions {
  const out: { traceContextKeys?: TraceContextKeys; now?: () => number; wallClock?: () => number; kurrentdb?: boolean } = {};
  const keys = raw.traceContextKeys;
  if (keys !== undefined) {
    const k = keys as Record<string, unknown>;
    if (typeof keys === 'object' && keys !== null && ['traceparent', 'tracestate'].every((n) => k[n] === undefined || (typeof k[n] === 'string' && k[n] !== ''))) {
      out.traceContextKeys = keys as TraceContextKeys;
    } else {
      warn(`otelkit: pack event-store option traceContextKeys must be { traceparent?: string, tracestate?: string }; using traceparent/tracestate`);
    }
  }
  if (raw.kurrentdb !== undefined) {
    if (typeof raw.kurrentdb === 'boolean') out.kurrentdb = raw.kurrentdb;
    else warn('otelkit: pack event-store option kurrentdb must be a boolean; using true');
  }
  for (const key of ['now', 'wallClock'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value === 'function') out[key] = value as () => number;
    else warn(`otelkit: pack event-store option ${key} must be a function; using ${key === 'now' ? 'performance.now' : 'Date.now'}`);
  }
  return out;
}

const pack: PackDefinition<typeof catalog> = definePack({
  name: 'event-store',
  core: '^0.1.0',
  catalog,
  // The modules its instrumentations patch: the ESM loader hook wraps them even if imported before setup ends.
  patches: ['@kurrent/kurrentdb-client'],
  dashboards,
  alerts,
  async setup(ctx) {
    const options = resolveOptions(ctx.options, (line) => ctx.logger.warn(line));
    const unbind = bindEventStore(ctx.meter, ctx.tracer, ctx.namespace, options);
    let unload: (() => void) | undefined;
    if (options.kurrentdb !== false) {
      try {
        const [{ registerInstrumentations }, { createKurrentDBInstrumentation }] = await Promise.all([
          import('@otelkit/node/instrumentation'),
          import('./adapters/kurrentdb.js'),
        ]);
        unload = registerInstrumentations({ instrumentations: [await createKurrentDBInstrumentation()] });
      } catch (error) {
        ctx.logger.warn(`otelkit: pack event-store could not hook @kurrent/kurrentdb-client (${String(error)}); instrumentKurrentDBClient still works`);
      }
    }
    return {
      dispose() {
        unload?.();
        unbind();
      },
    };
  },
});

export default pack;
