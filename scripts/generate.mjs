#!/usr/bin/env node
// Regenerates the artefacts derived from pack catalogs (README metric tables, Grafana dashboards, Prometheus rules)
// and from the collector configs (the scale-out tier's Kubernetes ConfigMaps and compose Prometheus config).
// Usage: pnpm build && pnpm generate          write them
//        pnpm generate --check                exit 1 and list the files that are stale
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArtifacts } from './generate/artifacts.mjs';
import { scaleArtifacts } from './generate/scale-artifacts.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const { files, notes } = await generateArtifacts(root);
for (const [rel, content] of scaleArtifacts(root)) files.set(rel, content);
const stale = [];
for (const [rel, content] of files) {
  const path = join(root, rel);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === content) continue;
  stale.push(rel);
  if (!check) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
for (const note of notes) process.stderr.write(`generate: ${note}\n`);
if (check) {
  // Every pack README carries the generated table; a missing README or missing markers is a failure too.
  if (notes.length > 0) process.exitCode = 1;
  if (stale.length > 0) {
    process.stderr.write(`generate: ${stale.length} generated file(s) are stale; run \`pnpm build && pnpm generate\`:\n`);
    for (const rel of stale) process.stderr.write(`  ${rel}\n`);
    process.exit(1);
  }
  if (notes.length === 0) process.stdout.write(`generate: ${files.size} generated files are current\n`);
} else {
  process.stdout.write(`generate: ${stale.length} of ${files.size} files written\n`);
}
