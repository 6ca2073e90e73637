import { definePack, type PackDefinition } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { slos } from './slos.js';
import { alerts } from './alerts.js';
import { bindCommands } from './instrument.js';
import { resolveCommandsOptions } from './options.js';

const pack: PackDefinition<typeof catalog> = definePack({
  name: 'commands',
  core: '^0.1.0',
  catalog,
  // The modules its instrumentations patch: the ESM loader hook wraps them even if imported before setup ends.
  patches: ['@nestjs/cqrs'],
  dashboards,
  alerts,
  slos,
  async setup(ctx) {
    const options = resolveCommandsOptions(ctx.options, ctx.logger);
    const unbind = bindCommands(ctx.meter, ctx.tracer, ctx.namespace, options);
    let unload: (() => void) | undefined;
    if (options.nestjsCqrs !== false) {
      try {
        const [{ registerInstrumentations }, { createNestCqrsInstrumentation }] = await Promise.all([
          import('@otelkit/node/instrumentation'),
          import('./adapters/nestjs-cqrs.js'),
        ]);
        unload = registerInstrumentations({ instrumentations: [await createNestCqrsInstrumentation()] });
      } catch (error) {
        ctx.logger.warn(`otelkit: pack commands could not hook @nestjs/cqrs (${String(error)}); the explicit API still works`);
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
