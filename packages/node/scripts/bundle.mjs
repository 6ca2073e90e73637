// Pre-bundles the run-time entries: one file to load instead of hundreds of modules is most of the startup budget.
// - register: the bootstrap. ESM output is split so each exporter lives in its own chunk, loaded only when
//   configured; the CommonJS output is one file whose exporter modules are initialised lazily on first use.
// - kit, instrumentation and api: what packs import at run time. Built in the same split build as register, so under
//   `--import` the code they share with it (the API) is one chunk, loaded once.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/register.ts');
const packEntries = { kit: join(root, 'src/kit.ts'), instrumentation: join(root, 'src/instrumentation.ts'), api: join(root, 'src/api.ts') };
// import-in-the-middle stays external: instrumentations register hooks on the same module instance the loader
// uses, so there must be exactly one copy of it. @grpc/grpc-js likewise: the OTLP gRPC exporter both imports it and
// require()s it at run time, and a bundled copy next to the required one fails its instanceof checks. yaml is
// required only when OTEL_CONFIG_FILE is set.
const external = ['import-in-the-middle', 'import-in-the-middle/*', '@grpc/grpc-js', 'yaml'];
// The metrics SDK turns the attribute set of every measurement into a string key (sorted keys, JSON.stringify) to
// find its aggregation: the largest single cost of recording a metric in the bank benchmark's profile (2-3 % of the
// process' CPU under load). otelkit's recorders and packs pass frozen attribute sets built once per combination, so
// the key of a frozen set whose values are all primitives is computed once and kept in a WeakMap; every other
// attribute object is hashed as before. The patch is applied to the bundled copy and fails the build if the
// function it replaces changes shape in a new SDK version.
const HASH_SOURCE = /function hashAttributes\(attributes\) \{\n\tlet keys = Object\.keys\(attributes\);\n\tif \(keys\.length === 0\) return "";\n\tkeys = keys\.sort\(\);\n\treturn JSON\.stringify\(keys\.map\(\(key\) => \[key, attributes\[key\]\]\)\);\n\}/;
const HASH_MEMO = `function hashAttributesUncached(attributes) {
\tlet keys = Object.keys(attributes);
\tif (keys.length === 0) return "";
\tkeys = keys.sort();
\treturn JSON.stringify(keys.map((key) => [key, attributes[key]]));
}
const frozenAttributeHashes = new WeakMap();
function hashAttributes(attributes) {
\tif (!Object.isFrozen(attributes)) return hashAttributesUncached(attributes);
\tlet hash = frozenAttributeHashes.get(attributes);
\tif (hash !== undefined) return hash;
\thash = hashAttributesUncached(attributes);
\tfor (const key in attributes) if (typeof attributes[key] === "object" && attributes[key] !== null) return hash;
\tfrozenAttributeHashes.set(attributes, hash);
\treturn hash;
}`;
const memoizeFrozenAttributeHashes = {
  name: 'otelkit-frozen-attribute-hashes',
  setup(b) {
    b.onLoad({ filter: /[\\/]@opentelemetry[\\/]sdk-metrics[\\/]dist[\\/]utils\.(?:mjs|cjs)$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!HASH_SOURCE.test(source)) throw new Error(`otelkit bundle: hashAttributes in ${args.path} is not the function the frozen-set memo replaces; review the patch in scripts/bundle.mjs`);
      return { contents: source.replace(HASH_SOURCE, HASH_MEMO), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  plugins: [memoizeFrozenAttributeHashes],
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
