// Pre-bundles the run-time entries: one file to load instead of hundreds of modules is most of the startup budget.
// - register: the bootstrap. ESM output is split so each exporter lives in its own chunk, loaded only when
//   configured; the CommonJS output is one file whose exporter modules are initialised lazily on first use.
// - kit, instrumentation and api: what packs import at run time. Built in the same split build as register, so under
//   `--import` the code they share with it (the API) is one chunk, loaded once.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { hotPathPatches } from './patches.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/register.ts');
const packEntries = { kit: join(root, 'src/kit.ts'), instrumentation: join(root, 'src/instrumentation.ts'), api: join(root, 'src/api.ts') };
// import-in-the-middle stays external: instrumentations register hooks on the same module instance the loader
// uses, so there must be exactly one copy of it. @grpc/grpc-js likewise: the OTLP gRPC exporter both imports it and
// require()s it at run time, and a bundled copy next to the required one fails its instanceof checks. yaml is
// required only when OTEL_CONFIG_FILE is set.
const external = ['import-in-the-middle', 'import-in-the-middle/*', '@grpc/grpc-js', 'yaml'];
const common = {
  bundle: true,
  plugins: [hotPathPatches],
  platform: 'node',
  target: 'node22.15',
  external,
  legalComments: 'none',
  logLevel: 'warning',
  // Keep the wrapped OTLP packages' `require('./x.json')` and similar working.
  mainFields: ['module', 'main'],
};

// dist/chunks is not emptied first: chunk names carry content hashes, and a process started from the previous
// build (tests running in parallel) may still import its chunks.
await build({
  ...common,
  entryPoints: { register: entry, ...packEntries },
  format: 'esm',
  splitting: true,
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: { js: "import { createRequire as __otelkitCreateRequire } from 'node:module'; const require = __otelkitCreateRequire(import.meta.url);" },
});
await build({
  ...common,
  entryPoints: [entry],
  format: 'cjs',
  outfile: join(root, 'dist/register.cjs'),
  // Bundled ESM dependencies (the OTLP exporters' .mjs builds) call createRequire(import.meta.url).
  banner: { js: "const __otelkitImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__otelkitImportMetaUrl' },
});
