// Bundles a pack's run-time entries (run from the pack's directory after tsc, which then emits declarations only):
// every subpath the package exports, in one split ESM build so the explicit API (`index`) and the pack definition
// (`pack`) share one instance of the pack's state. Loading a pack is then a few files instead of its whole module
// graph. `@otelkit/node` stays external (the kit and the instrumentation runtime are core's, loaded once); the
// OpenTelemetry API is taken from core's bundle too (`@otelkit/node/api`), so five packs do not load five copies;
// and import-in-the-middle stays external, whose hook registry must be the one instance the loader hook reads (a pack that bundles
// an upstream instrumentation lists it as a dependency, so it resolves to the same install).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const entryPoints = {};
for (const [, target] of Object.entries(pkg.exports ?? {})) {
  const file = typeof target === 'string' ? target : target?.default;
  const m = typeof file === 'string' ? /^\.\/dist\/(.+)\.js$/.exec(file) : null;
  if (m === null) continue;
  entryPoints[m[1]] = join(dir, 'src', `${m[1]}.ts`);
}
await build({
  entryPoints,
  bundle: true,
  platform: 'node',
  target: 'node22.15',
  format: 'esm',
  splitting: true,
  outdir: join(dir, 'dist'),
  // Not emptied first: chunk names carry content hashes, and a running process may still import the previous ones.
  chunkNames: 'chunks/[name]-[hash]',
  external: ['@otelkit/node', '@otelkit/node/*', 'import-in-the-middle', 'import-in-the-middle/*', ...Object.keys(pkg.peerDependencies ?? {})],
  alias: { '@opentelemetry/api': '@otelkit/node/api' },
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: { js: "import { createRequire as __otelkitCreateRequire } from 'node:module'; const require = __otelkitCreateRequire(import.meta.url);" },
});
