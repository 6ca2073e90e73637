import { definePack, type PackDefinition } from '@otelkit/node/kit';
import { alerts } from './alerts.js';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { startDbInstrumentations } from './instrument.js';
import { resolveDbOptions } from './options.js';
import { slos } from './slos.js';

const pack: PackDefinition<typeof catalog> = definePack({
  name: 'db',
  core: '^0.1.0',
  catalog,
  // pg and pg-pool are patched (pg has no diagnostics channel); Redis clients are read from their tracing channels.
  patches: ['pg', 'pg-pool'],
  dashboards,
  alerts,
  slos,
  setup(ctx) {
    const stops = startDbInstrumentations(resolveDbOptions(ctx.options, ctx.logger), ctx.meter, ctx.tracer, ctx.logger);
    return {
      dispose() {
        for (const stop of stops.splice(0).reverse()) stop();
      },
    };
  },
});

export default pack;
