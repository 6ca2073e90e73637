import { createInstruments, definePack, type PackDefinition } from '@otelkit/node/kit';
import { OpossumInstrumentation, patchLoadedOpossum, unpatchAllOpossum } from './adapters/opossum.js';
import { alerts } from './alerts.js';
import { catalog } from './catalog.js';
import { dashboards } from './dashboards.js';
import { useInstruments } from './recorder.js';

const pack: PackDefinition<typeof catalog> = definePack({
  name: 'circuit-breakers',
  core: '^0.1.0',
  catalog,
  // The modules its instrumentations patch: the ESM loader hook wraps them even if imported before setup ends.
  patches: ['opossum'],
  dashboards,
  alerts,
  setup(ctx) {
    useInstruments(createInstruments(ctx.meter, catalog, ctx.namespace));
    // opossum is patched when the app loads it; cockatiel policies are instrumented explicitly.
    const opossum = new OpossumInstrumentation();
    opossum.enable();
    if (patchLoadedOpossum()) ctx.logger.debug('otelkit: opossum was loaded before otelkit started; patched the loaded copy');
    return {
      dispose() {
        opossum.disable();
        unpatchAllOpossum();
        useInstruments(undefined);
      },
    };
  },
});

export default pack;
