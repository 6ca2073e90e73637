import { definePack, type PackDefinition } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { alerts } from './alerts.js';
import { bindProjections } from './instrument.js';
import type { ProjectionsPackOptions } from './types.js';

function resolveOptions(raw: Readonly<Record<string, unknown>>, warn: (line: string) => void): ProjectionsPackOptions {
  const out: { now?: () => number; wallClock?: () => number } = {};
  for (const key of ['now', 'wallClock'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value === 'function') out[key] = value as () => number;
    else warn(`otelkit: pack projections option ${key} must be a function; using ${key === 'now' ? 'performance.now' : 'Date.now'}`);
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
