#!/usr/bin/env node
// Runs after `changeset version` (`pnpm version-packages`): carries the new @otelkit/node version into the places
// changesets does not know about. Core's VERSION constant is what packs' `core` ranges are checked against at load,
// and each pack's `core` range must still admit the core it is released with (a 0.x minor is a breaking change).
// Usage: node scripts/sync-versions.mjs [--check]   --check only lists what is out of step and exits 1 if anything is
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const core = JSON.parse(readFileSync(join(root, 'packages/node/package.json'), 'utf8')).version;

/** Whether `^range` admits `version`, for plain x.y.z versions (all otelkit publishes outside prereleases). */
function caretAdmits(range, version) {
  const [ra, rb, rc] = range.split('.').map(Number);
  const [a, b, c] = version.split('.').map(Number);
  if (a !== ra) return false;
  if (ra > 0) return b > rb || (b === rb && c >= rc);
  if (rb > 0) return b === rb && c >= rc;
  return b === 0 && c === rc;
}
/** The caret range a pack released with `version` of core should declare: ^0.y.0 below 1.0, ^x.0.0 from then on. */
const caretFor = (version) => {
  const [a, b] = version.split('.').map(Number);
  return a > 0 ? `^${a}.0.0` : `^0.${b}.0`;
};

const edits = [];
const versionFile = join(root, 'packages/node/src/version.ts');
const versionSource = readFileSync(versionFile, 'utf8');
const synced = versionSource.replace(/(export const VERSION: string = ')[^']*(';)/, `$1${core}$2`);
if (synced !== versionSource) edits.push([versionFile, synced]);

for (const dir of readdirSync(join(root, 'packages'))) {
  const packFile = join(root, 'packages', dir, 'src/pack.ts');
  if (dir === 'node' || !existsSync(packFile)) continue;
  const source = readFileSync(packFile, 'utf8');
  const next = source.replace(/(\bcore: ')\^(\d+\.\d+\.\d+)(')/, (all, open, range, close) =>
    caretAdmits(range, core) ? all : `${open}${caretFor(core)}${close}`,
  );
  if (next !== source) edits.push([packFile, next]);
}

for (const [file, content] of edits) {
  process.stdout.write(`sync-versions: ${check ? 'out of step' : 'updated'} ${file.slice(root.length + 1)} (core ${core})\n`);
  if (!check) writeFileSync(file, content);
}
if (check && edits.length > 0) process.exitCode = 1;
