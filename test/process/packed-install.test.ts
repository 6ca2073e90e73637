// The packages as users get them: `pnpm pack` each publishable package (workspace:^ ranges become real ones), npm
// installs the tarballs with their dependencies from the registry into an empty directory outside the workspace, and
// an ESM and a CommonJS app there run with the register entry and two packs, scraped on the pull endpoint. Also: every
// export has types that a consumer's TypeScript resolves, every bare import of the built code is a declared
// dependency, and the publish dry runs (pnpm's and npm's) are clean.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { spawnApp } from '../support/spawn.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['node', 'commands', 'event-store', 'projections', 'circuit-breakers', 'http', 'db'] as const;
const INSTALL_TIMEOUT = 600_000;

interface PackageJson {
  name: string;
  version: string;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
interface Packed {
  readonly dir: (typeof PACKAGES)[number];
  readonly tarball: string;
  readonly bytes: number;
  /** The tarball's contents, extracted. */
  readonly root: string;
  readonly manifest: PackageJson;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const workspaceManifest = (dir: string): PackageJson => readJson(join(repo, 'packages', dir, 'package.json'));

// npm and pnpm run by name, as a user would; pnpm's script environment (npm_package_*, npm_config_* it sets) stays out
// of npm's way, the registry and proxy settings of the machine stay in.
function toolEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|userconfig|globalconfig|cache|proxy|https_proxy|noproxy|cafile|strict_ssl)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
}
function run(command: string, args: readonly string[], cwd: string, timeout = INSTALL_TIMEOUT): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: toolEnv(), encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
}
function mustRun(command: string, args: readonly string[], cwd: string): string {
  const r = run(command, args, cwd);
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${r.error?.message ?? `exit ${r.status}`}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

// Skip only when the registry cannot be reached; any other failure of npm is a failure of the test.
function registryUnreachable(): string | undefined {
  const r = run('npm', ['view', '@opentelemetry/api@1.10.0', 'version', '--json', '--fetch-retries=1', '--fetch-timeout=30000'], tmpdir(), 90_000);
  if (r.error === undefined && r.status === 0) return undefined;
  const said = `${r.error?.message ?? ''} ${r.stderr}`;
  const network = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT|ERR_SOCKET_TIMEOUT)\b/;
  if (network.test(said)) return `the npm registry is unreachable: ${said.trim().split('\n')[0]}`;
  throw new Error(`npm view @opentelemetry/api failed for another reason than the network: ${said}`);
}

let unreachable: string | undefined;
let work: string;
const packed: Packed[] = [];
let installSeconds = 0;
let appDir: string;
let consumerDir: string;

function skipWhenOffline(ctx: TestContext): void {
  ctx.skip(unreachable !== undefined, unreachable);
}
const tarballOf = (dir: string): string => packed.find((p) => p.dir === dir)!.tarball;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'otelkit-packed-'));
  const packDir = join(work, 'tarballs');
  mkdirSync(packDir);
  for (const dir of PACKAGES) {
    const manifest = workspaceManifest(dir);
    mustRun('pnpm', ['pack', '--pack-destination', packDir], join(repo, 'packages', dir));
    const tarball = join(packDir, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    const root = join(work, 'extracted', dir);
    mkdirSync(root, { recursive: true });
    mustRun('tar', ['-xzf', tarball, '-C', root, '--strip-components=1'], work);
    packed.push({ dir, tarball, bytes: statSync(tarball).size, root, manifest: readJson(join(root, 'package.json')) });
  }

  unreachable = registryUnreachable();
  if (unreachable !== undefined) {
    console.warn(`packed-install: skipping the install, run and npm publish checks: ${unreachable}`);
    return;
  }

  // The app: core and two packs, nothing else. Installed first, into a directory no workspace file can reach.
  appDir = join(work, 'app');
  mkdirSync(appDir);
  const dependencies = Object.fromEntries(['node', 'http', 'commands'].map((d) => [workspaceManifest(d).name, `file:${tarballOf(d)}`]));
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'packed-app', version: '1.0.0', private: true, dependencies }, null, 2));
  const started = process.hrtime.bigint();
  mustRun('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], appDir);
  installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  writeFileSync(join(appDir, 'app.mjs'), APP_ESM);
  writeFileSync(join(appDir, 'app.cjs'), APP_CJS);

  // A TypeScript consumer of all seven, with the optional peer that ./sdk-node's types name and Node's types.
  consumerDir = join(work, 'consumer');
  mkdirSync(consumerDir);
  const rootManifest = readJson<PackageJson>(join(repo, 'package.json'));
  const coreManifest = workspaceManifest('node');
  const all: Record<string, string> = Object.fromEntries(PACKAGES.map((d) => [workspaceManifest(d).name, `file:${tarballOf(d)}`]));
  all['@opentelemetry/sdk-node'] = coreManifest.peerDependencies!['@opentelemetry/sdk-node']!;
  all['@types/node'] = rootManifest.devDependencies!['@types/node']!;
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'packed-consumer', version: '1.0.0', private: true, type: 'module', dependencies: all }, null, 2));
  mustRun('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], consumerDir);

  const sizes = packed.map((p) => `${p.manifest.name} ${(p.bytes / 1024).toFixed(1)} KiB`).join(', ');
  console.info(`packed-install: tarballs ${sizes}; npm install of core + http + commands ${installSeconds.toFixed(1)} s`);
}, INSTALL_TIMEOUT * 2);
afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const APP_BODY = `
const server = http.createServer((req, res) => {
  Promise.resolve(withCommand('Deposit', async () => 'deposited')).then((body) => res.end(body));
});
const get = (url) =>
  new Promise((resolve, reject) => {
    http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < 3; i++) await get(\`http://127.0.0.1:\${port}/deposit\`);
  console.log('packed-app: done 3 requests');
});
`;
const APP_ESM = `import http from 'node:http';\nimport { withCommand } from '@otelkit/commands';\n${APP_BODY}`;
const APP_CJS = `const http = require('node:http');\nconst { withCommand } = require('@otelkit/commands');\n${APP_BODY}`;

describe('the packed tarballs', () => {
  it('carry types for every export, and every target of the export map', () => {
    for (const { manifest, root } of packed) {
      expect(manifest.exports, manifest.name).toBeDefined();
      for (const [subpath, entry] of Object.entries(manifest.exports!)) {
        if (subpath === './package.json') continue;
        // Conditions are matched in order: `types` must come first to be seen by TypeScript.
        expect(typeof entry === 'object' && entry !== null ? Object.keys(entry)[0] : entry, `${manifest.name} ${subpath}`).toBe('types');
        for (const target of Object.values(entry as Record<string, string>)) {
          expect(statSync(join(root, target), { throwIfNoEntry: false })?.isFile(), `${manifest.name} ${subpath} -> ${target}`).toBe(true);
        }
      }
      expect(readdirSync(root), manifest.name).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
    }
  });

  it('have workspace ranges rewritten and the metadata a registry page shows', () => {
    for (const { manifest, dir, root } of packed) {
      expect(readFileSync(join(root, 'package.json'), 'utf8'), manifest.name).not.toContain('workspace:');
      expect(manifest, manifest.name).toMatchObject({
        license: 'Apache-2.0',
        repository: { type: 'git', url: expect.any(String), directory: `packages/${dir}` },
        homepage: expect.any(String),
        bugs: { url: expect.any(String) },
        engines: { node: expect.any(String) },
        keywords: expect.arrayContaining(['opentelemetry']),
        publishConfig: { access: 'public' },
      });
    }
  });

  it('import only packages they declare', () => {
    // The code tsc emitted and the packs' bundles import bare specifiers; core's own bundles (.mjs, .cjs, chunks)
    // carry their dependencies inside, except the externals, which are declared.
    const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)(?:\/[^"'\s]*)?["']/g;
    for (const { manifest, root } of packed) {
      const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
      const undeclared = new Set<string>();
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const file = join(dir, e.name);
          if (e.isDirectory()) walk(file);
          else if (e.name.endsWith('.js')) {
            for (const [, name] of readFileSync(file, 'utf8').matchAll(specifier)) {
              if (!declared.has(name!) && !builtinModules.includes(name!) && !name!.startsWith('node:')) undeclared.add(`${name} (${file.slice(root.length + 1)})`);
            }
          }
        }
      };
      walk(join(root, 'dist'));
      expect([...undeclared], manifest.name).toEqual([]);
    }
  });

  it('pass pnpm publish --dry-run for every package', () => {
    const r = run('pnpm', ['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks'], repo);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const out = r.stdout + r.stderr;
    for (const { manifest } of packed) expect(out).toContain(`${manifest.name}@${manifest.version}`);
    const warnings = out.split('\n').filter((l) => /WARN|ERR/.test(l) && !/Skip publishing .* \(dry run\)/.test(l));
    expect(warnings).toEqual([]);
  });

  it('pass npm publish --dry-run for every tarball', (ctx) => {
    skipWhenOffline(ctx);
    for (const { tarball, manifest } of packed) {
      const r = run('npm', ['publish', '--dry-run', tarball], work);
      expect(r.status, r.stderr).toBe(0);
      // Being logged in is the publisher's business; anything else npm warns about (fields it had to fix, bins it
      // dropped) is the package's.
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('npm warn') && !/requires you to be logged in/.test(l));
      expect(warnings, manifest.name).toEqual([]);
    }
  });
});

describe('installed with npm outside the workspace', () => {
  it('resolves the types of every export in a strict TypeScript consumer', (ctx) => {
    skipWhenOffline(ctx);
    const lines: string[] = [];
    for (const { manifest } of packed) {
      for (const subpath of Object.keys(manifest.exports ?? {})) {
        if (subpath === './package.json') continue;
        lines.push(`import type * as m${lines.length} from '${manifest.name}${subpath.slice(1)}';`);
      }
    }
    lines.push(`export type All = [${lines.map((_, i) => `typeof m${i}`).join(', ')}];`);
    writeFileSync(join(consumerDir, 'consumer.ts'), lines.join('\n') + '\n');
    const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', noEmit: true, skipLibCheck: false, types: ['node'] };
    writeFileSync(join(consumerDir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    const r = run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], consumerDir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  describe.each([
    { kind: 'ESM', script: 'app.mjs', nodeArgs: ['--import', '@otelkit/node/register'] },
    { kind: 'CommonJS', script: 'app.cjs', nodeArgs: ['--require', '@otelkit/node/register'] },
  ])('$kind app with the http and commands packs', ({ script, nodeArgs }) => {
    it('serves a pack metric and an HTTP metric on /metrics, with both packs loaded', async (ctx) => {
      skipWhenOffline(ctx);
      const app = spawnApp(script, {
        cwd: appDir,
        nodeArgs,
        env: {
          OTEL_SERVICE_NAME: 'packed-app',
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        },
      });
      try {
        const [started] = await app.waitForOutput(/^otelkit: started .*$/m);
        const [, url] = await app.waitForOutput(/prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)\)/);
        await app.waitForOutput(/packed-app: done 3 requests/);
        expect(started).toContain('packs=[commands,http]');
        expect(started).toContain('skipped=[]');
        const res = await fetch(url!);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(body).toMatch(/^command_duration_seconds_count\{[^}]*command_outcome="success"[^}]*command_type="Deposit"[^}]*\} 3$/m);
        expect(body).toMatch(/^http_server_request_duration_seconds_count\{[^}]*http_request_method="GET"[^}]*http_response_status_code="200"[^}]*\} 3$/m);
        // Each pack's meter is scoped to its package, as installed from its tarball.
        expect(body).toMatch(/otel_scope_name="@otelkit\/commands"/);
        expect(body).toMatch(/otel_scope_name="@otelkit\/http"/);
        expect(app.otelkitLines().filter((l) => /OTELKIT_E_/.test(l))).toEqual([]);
      } finally {
        app.kill('SIGTERM');
        await app.exited;
      }
    });
  });
});
