import { pathToFileURL } from 'node:url';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config/resolved.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isPackDefinition, type PackDefinition } from '../pack.js';
import { discoverPacks, loadPacks } from '../pack-loader.js';

/** A discovered pack and what `start()` would do with it under the current configuration. */
export interface PackStatus {
  readonly package: string;
  readonly version: string | null;
  readonly status: 'enabled' | 'skipped';
  readonly reason: string | null;
}

/**
 * Runs the real pack loader against providers that export nothing, so the verdicts (enabled, disabled by env,
 * wrong core version, failing setup) are exactly the ones the app would get.
 */
export async function packStatuses(config: ResolvedConfig): Promise<PackStatus[]> {
  const discovered = config.packs.allow === 'none' && config.packs.explicit === undefined ? [] : discoverPacks(config.appPackageJson);
  const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };
  const meterProvider = new MeterProvider();
  const tracerProvider = new TracerProvider();
  const packs = loadPacks({ config, meterProvider, tracerProvider, logger: quiet });
  await packs.ready;
  await packs.dispose().catch(() => undefined);
  const out: PackStatus[] = [];
  const versions = new Map(discovered.map((d) => [d.packageName, d.version ?? null]));
  for (const s of packs.skipped) {
    out.push({ package: s.name, version: versions.get(s.name) ?? null, status: 'skipped', reason: s.code === undefined ? s.reason : `${s.reason} [${s.code}]` });
  }
  const skippedNames = new Set(packs.skipped.map((s) => s.name));
  for (const d of discovered) {
    if (!skippedNames.has(d.packageName)) out.push({ package: d.packageName, version: d.version ?? null, status: 'enabled', reason: null });
  }
  if (config.packs.allow === 'none' && config.packs.explicit === undefined) {
    for (const d of discoverPacks(config.appPackageJson)) out.push({ package: d.packageName, version: d.version ?? null, status: 'skipped', reason: 'OTELKIT_PACKS=none' });
  }
  return out.sort((a, b) => a.package.localeCompare(b.package));
}

/** Imports every installed pack's definition (for `otelkit catalog`); failures are reported, not thrown. */
export async function installedPackDefinitions(config: ResolvedConfig): Promise<{ package: string; definition?: PackDefinition; error?: string }[]> {
  const out: { package: string; definition?: PackDefinition; error?: string }[] = [];
  for (const pack of discoverPacks(config.appPackageJson)) {
    try {
      const mod = (await import(pathToFileURL(pack.entry).href)) as { default?: unknown };
      const inner = mod.default as { default?: unknown } | undefined;
      const definition = isPackDefinition(mod.default) ? mod.default : isPackDefinition(inner?.default) ? inner.default : undefined;
      out.push(definition === undefined ? { package: pack.packageName, error: 'does not default-export definePack(...)' } : { package: pack.packageName, definition });
    } catch (error) {
      out.push({ package: pack.packageName, error: describeError(error) });
    }
  }
  return out;
}
