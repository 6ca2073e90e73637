import { definePack, type PackDefinition } from '@otelkit/node/kit';
import { alerts } from './alerts.js';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { slos } from './slos.js';
import { startHttpInstrumentations } from './instrument.js';
import { resolveHttpOptions } from './options.js';

const pack: PackDefinition<typeof catalog> = definePack({
  name: 'http',
  core: '^0.1.0',
  catalog,
  // The routers whose route template it reads by patching (http.route); the ESM loader hook wraps them.
  patches: ['find-my-way', 'router', 'express', '@koa/router', 'hono'],
  dashboards,
  alerts,
  slos,
  setup(ctx) {
    const stops = startHttpInstrumentations(resolveHttpOptions(ctx.options, ctx.logger), ctx.meter, ctx.tracer, ctx.logger);
    return {
      dispose() {
        for (const stop of stops) stop();
      },
    };
  },
});

export default pack;
