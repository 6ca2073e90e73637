// Builds a throwaway app directory the way a user's project looks: a package.json whose dependencies name the
// packs, and a node_modules with @otelkit/node and those packs installed. Fixture packs are copied (not
// linked) so their own imports resolve through this node_modules, like an installed package.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const core = join(repo, 'packages', 'node');
const coreModules = join(core, 'node_modules');

export type FixturePack = 'http-pack' | 'counter-pack' | 'throwing-pack' | 'old-core-pack';

export interface FixtureAppOptions {
  /** Directory under test/fixtures/apps to copy. */
  readonly app: 'http' | 'spans' | 'worker';
  readonly name?: string;
  /** Fixture packs listed in dependencies and installed. */
  readonly packs?: readonly FixturePack[];
  /** Extra files to write, relative to the app dir. */
  readonly files?: Readonly<Record<string, string>>;
}

export interface FixtureApp {
  readonly dir: string;
  remove(): void;
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/** Installs `target` (a package directory) into `appDir`'s node_modules as `name`, the way a link install does. */
export function linkModule(appDir: string, target: string, name: string): void {
  link(target, join(appDir, 'node_modules', name));
}

export function createFixtureApp(options: FixtureAppOptions): FixtureApp {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-fixture-'));
  cpSync(join(repo, 'test', 'fixtures', 'apps', options.app), dir, { recursive: true });
  const packs = options.packs ?? [];
  const dependencies: Record<string, string> = { '@otelkit/node': '*', '@opentelemetry/api': '*' };
  for (const pack of packs) dependencies[`otelkit-fixture-${pack}`] = '1.0.0';
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: options.name ?? `fixture-${options.app}`, version: '1.2.3', private: true, dependencies }, null, 2),
  );
  const modules = join(dir, 'node_modules');
  link(core, join(modules, '@otelkit', 'node'));
  for (const dep of ['@opentelemetry/api', '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation']) {
    link(join(coreModules, dep), join(modules, dep));
  }
  for (const pack of packs) cpSync(join(repo, 'test', 'fixtures', 'apps', 'packs', pack), join(modules, `otelkit-fixture-${pack}`), { recursive: true });
  for (const [file, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
