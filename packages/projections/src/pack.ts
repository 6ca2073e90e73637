import { definePack, type PackDefinition } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { alerts } from './alerts.js';
import { LAG_QUERY_TIMEOUT_MS, validLagQueryTimeout } from './binding.js';
import { bindProjections } from './instrument.js';
import type { ProjectionsPackOptions } from './types.js';

function resolveOptions(raw: Readonly<Record<string, unknown>>, warn: (line: string) => void): ProjectionsPackOptions {
  const out: { now?: () => number; wallClock?: () => number; lagQueryTimeoutMillis?: number } = {};
  for (const key of ['now', 'wallClock'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value === 'function') out[key] = value as () => number;
    else warn(`otelkit: pack projections option ${key} must be a function; using ${key === 'now' ? 'performance.now' : 'Date.now'}`);
  }
  const timeout = raw.lagQueryTimeoutMillis;
  if (timeout !== undefined) {
    const valid = validLagQueryTimeout(timeout);
    if (valid !== undefined) out.lagQueryTimeoutMillis = valid;
    else warn(`otelkit: pack projections option lagQueryTimeoutMillis must be a whole number of milliseconds from 1 to 2147483647, not ${String(timeout)}; using ${LAG_QUERY_TIMEOUT_MS}`);
  }
  return out;
}

const pack: PackDefinition<typeof catalog> = definePack({
  name: 'projections',
  core: '^0.1.0',
  catalog,
  dashboards,
  alerts,
  setup(ctx) {
    const unbind = bindProjections(ctx.meter, ctx.tracer, ctx.namespace, resolveOptions(ctx.options, (line) => ctx.logger.warn(line)));
    return { dispose: unbind };
  },
});

export default pack;
