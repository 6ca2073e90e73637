import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
// The two functions by path: semver's index loads every module of the package (about 5 ms of startup, bundled).
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { readPackageJson } from './app-package.js';
import type { ResolvedConfig } from './config/resolved.js';
import { describeError, type ErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { isPackDefinition, type PackDefinition, type PackHandle } from './pack.js';
import { VERSION } from './version.js';

/** An installed package whose package.json declares `"otelkit": { "pack": "./dist/pack.js" }`. */
export interface DiscoveredPack {
  readonly packageName: string;
  readonly version: string | undefined;
  /** Absolute path of the pack entry module. */
  readonly entry: string;
}

/** A pack that was not set up, and why (for the preamble and `otelkit doctor`). */
export interface SkippedPack {
  readonly name: string;
  readonly reason: string;
  readonly code?: ErrorCode;
}

/** Result of loading packs. `ready` settles when every async `setup` has. */
export interface LoadedPacks {
  readonly loaded: readonly string[];
  readonly skipped: readonly SkippedPack[];
  readonly ready: Promise<void>;
  dispose(): Promise<void>;
}

function packageDir(name: string, fromDir: string): string | undefined {
  let current = resolve(fromDir);
  for (;;) {
    const candidate = join(current, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function describePackage(name: string, fromDir: string): DiscoveredPack | undefined {
  const dir = packageDir(name, fromDir);
  if (dir === undefined) return undefined;
  const pkg = readPackageJson(join(dir, 'package.json'));
  const entry = pkg?.otelkit?.pack;
  if (typeof entry !== 'string' || entry === '') return undefined;
  return { packageName: name, version: pkg?.version, entry: resolve(dir, entry) };
}

/**
 * Packs installed for the app: its dependencies and devDependencies whose package.json carries `otelkit.pack`.
 * Nothing is imported here.
 */
export function discoverPacks(appPackageJson: string | undefined): DiscoveredPack[] {
  if (appPackageJson === undefined) return [];
  const app = readPackageJson(appPackageJson);
  if (app === undefined) return [];
  const names = [...new Set([...Object.keys(app.dependencies ?? {}), ...Object.keys(app.devDependencies ?? {})])].sort();
  const dir = dirname(appPackageJson);
  return names.flatMap((name) => describePackage(name, dir) ?? []);
}

/** Loads a pack module synchronously when Node allows it (`require` of ESM), so hooks exist before app code runs. */
function loadModule(entry: string, requireFrom: NodeJS.Require): unknown {
  try {
    return requireFrom(entry);
  } catch (error) {
    // Packs with top-level await cannot be required; import them instead (their hooks may then be late).
    if ((error as { code?: string }).code === 'ERR_REQUIRE_ASYNC_MODULE') return import(pathToFileURL(entry).href);
    throw error;
  }
}

function definitionOf(mod: unknown): PackDefinition | undefined {
  if (isPackDefinition(mod)) return mod;
  const m = mod as { default?: unknown; pack?: unknown } | null;
  if (m !== null && typeof m === 'object') {
    if (isPackDefinition(m.default)) return m.default;
    const inner = m.default as { default?: unknown } | undefined;
    if (inner !== undefined && isPackDefinition(inner.default)) return inner.default;
    if (isPackDefinition(m.pack)) return m.pack;
  }
  return undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** What the loader needs from start(). */
export interface PackLoaderDeps {
  readonly config: ResolvedConfig;
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: TracerProvider;
  readonly logger: Logger;
  /** Called once, before the first pack is imported or set up (the register entry installs its loader hook here). */
  readonly beforeFirstPack?: () => void;
  /** Told each pack's `patches` before its setup runs (the register entry's loader hook wraps those modules). */
  readonly declarePatches?: (modules: readonly string[]) => void;
}

/**
 * Selects, imports, version-checks and sets up packs. A pack that fails at any step is logged once and skipped;
 * the others and the app carry on. Synchronous where the pack allows it.
 */
export function loadPacks({ config, meterProvider, tracerProvider, logger, beforeFirstPack, declarePatches }: PackLoaderDeps): LoadedPacks {
  let prepared = false;
  const prepare = (): void => {
    if (prepared) return;
    prepared = true;
    beforeFirstPack?.();
  };
  const loaded: string[] = [];
  const skipped: SkippedPack[] = [];
  const handles: PackHandle[] = [];
  const pending: Promise<void>[] = [];
  const seen = new Set<string>();
  const requireFrom = createRequire(config.appPackageJson ?? join(process.cwd(), 'package.json'));
  const appDir = config.appPackageJson === undefined ? process.cwd() : dirname(config.appPackageJson);

  const skip = (name: string, code: ErrorCode, reason: string, log: 'warn' | 'info' = 'warn'): void => {
    skipped.push({ name, reason, code });
    logger[log](`otelkit: pack ${name} ${reason} [${code}]`);
  };

  const setup = (def: PackDefinition, packageName: string): void => {
    if (seen.has(def.name)) return;
    seen.add(def.name);
    if (config.packs.explicit === undefined && config.packs.disabled.includes(def.name)) {
      skipped.push({ name: packageName, reason: 'disabled by OTELKIT_DISABLED_PACKS' });
      return;
    }
    if (!validRange(def.core) || !satisfies(VERSION, def.core, { includePrerelease: true })) {
      skip(packageName, 'OTELKIT_E_PACK_VERSION', `supports @otelkit/node ${def.core} but this is ${VERSION}; the pack is skipped (upgrade one of them)`);
      return;
    }
    const scope = packageName.startsWith('@') || packageName.includes('/') ? packageName : `@otelkit/${def.name}`;
    const packLogger: Logger = {
      error: (m) => logger.error(`otelkit: [${def.name}] ${m.replace(/^otelkit:\s*/, '')}`),
      warn: (m) => logger.warn(`otelkit: [${def.name}] ${m.replace(/^otelkit:\s*/, '')}`),
      info: (m) => logger.info(`otelkit: [${def.name}] ${m.replace(/^otelkit:\s*/, '')}`),
      debug: (m) => logger.debug(`otelkit: [${def.name}] ${m.replace(/^otelkit:\s*/, '')}`),
    };
    const failed = (error: unknown): void => {
      loaded.splice(loaded.indexOf(def.name), 1);
      skip(packageName, 'OTELKIT_E_PACK_SETUP', `failed in setup: ${describeError(error)}; the pack is skipped, other packs and the app keep running`);
    };
    try {
      prepare();
      if (def.patches !== undefined) declarePatches?.(def.patches);
      loaded.push(def.name);
      const result = def.setup({
        meter: meterProvider.getMeter(scope, VERSION),
        tracer: tracerProvider.getTracer(scope, VERSION),
        namespace: config.metrics.namespace,
        options: config.packs.options[def.name] ?? {},
        logger: packLogger,
      });
      const keep = (handle: PackHandle | void): void => {
        if (handle !== undefined && typeof handle.dispose === 'function') handles.push(handle);
      };
      if (isThenable(result)) pending.push(Promise.resolve(result).then(keep, failed));
      else keep(result);
    } catch (error) {
      failed(error);
    }
  };

  const fromEntry = (name: string, entry: string): void => {
    const onModule = (mod: unknown): void => {
      const def = definitionOf(mod);
      if (def === undefined) skip(name, 'OTELKIT_E_PACK_LOAD', 'does not default-export definePack(...); the pack is skipped');
      else setup(def, name);
    };
    const onError = (error: unknown): void => skip(name, 'OTELKIT_E_PACK_LOAD', `could not be imported: ${describeError(error)}; the pack is skipped`);
    try {
      prepare();
      const mod = loadModule(entry, requireFrom);
      if (isThenable(mod)) pending.push(Promise.resolve(mod).then(onModule, onError));
      else onModule(mod);
    } catch (error) {
      onError(error);
    }
  };

  if (config.packs.explicit !== undefined) {
    for (const item of config.packs.explicit) {
      if (typeof item !== 'string') {
        setup(item, item.name);
        continue;
      }
      const found = describePackage(item, appDir);
      if (found === undefined) skip(item, 'OTELKIT_E_PACK_UNKNOWN', 'is not installed or has no otelkit.pack entry; the pack is skipped');
      else fromEntry(item, found.entry);
    }
  } else {
    const allow = config.packs.allow;
    const discovered = allow === 'none' ? [] : discoverPacks(config.appPackageJson);
    if (Array.isArray(allow)) {
      for (const name of allow) {
        if (!discovered.some((d) => d.packageName === name || d.packageName.endsWith(`/${name}`))) {
          skip(name, 'OTELKIT_E_PACK_UNKNOWN', 'is listed in OTELKIT_PACKS but not installed as a pack dependency of the app; ignored');
        }
      }
    }
    for (const pack of discovered) {
      const short = pack.packageName.replace(/^@[^/]+\//, '');
      if (Array.isArray(allow) && !allow.includes(pack.packageName) && !allow.includes(short)) {
        skipped.push({ name: pack.packageName, reason: 'not in OTELKIT_PACKS' });
        continue;
      }
      if (config.packs.disabled.includes(pack.packageName) || config.packs.disabled.includes(short)) {
        skipped.push({ name: pack.packageName, reason: 'disabled by OTELKIT_DISABLED_PACKS' });
        continue;
      }
      fromEntry(pack.packageName, pack.entry);
    }
  }

  const ready = Promise.all(pending).then(() => undefined);
  return {
    loaded,
    skipped,
    ready,
    async dispose(): Promise<void> {
      await ready;
      await Promise.all(
        handles.map(async (h) => {
          try {
            await h.dispose();
          } catch (error) {
            logger.debug(`otelkit: a pack failed to dispose: ${describeError(error)}`);
          }
        }),
      );
    },
  };
}
