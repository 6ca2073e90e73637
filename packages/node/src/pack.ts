import type { Meter, Tracer } from '@opentelemetry/api';
import type { Catalog } from './catalog.js';
import type { Logger } from './logger.js';

/** What core hands a pack in `setup`. Packs never reach for globals at import time. */
export interface PackContext {
  /** Meter scoped to the pack (`@otelkit/<pack>` style scope name). */
  readonly meter: Meter;
  /** Tracer scoped to the pack. */
  readonly tracer: Tracer;
  /** Metric name prefix from `OTELKIT_METRIC_NAMESPACE` (already applied by `createInstruments`), or ''. */
  readonly namespace: string;
  /** Options for this pack from `start({ packOptions: { [name]: ... } })` or the config file, unvalidated. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
}

/** Returned by `setup`; `dispose` undoes patches and stops observers. */
export interface PackHandle {
  dispose(): void | Promise<void>;
}

/** A pack's dashboard description; turned into Grafana JSON by `@otelkit/node/artifacts`. */
export interface PackArtifacts {
  readonly dashboards?: readonly unknown[];
  readonly alerts?: readonly unknown[];
  /** Service level indicators (SloSpec from `@otelkit/node/artifacts`); generated into SLO recording and alert rules. */
  readonly slos?: readonly unknown[];
}

/** A feature pack. Default-export `definePack({...})` from the module named by package.json `otelkit.pack`. */
export interface PackDefinition<C extends Catalog = Catalog> extends PackArtifacts {
  /** Unique kebab-case name, e.g. `circuit-breakers`. */
  readonly name: string;
  /** Semver range of `@otelkit/node` this pack supports; checked at load. */
  readonly core: string;
  readonly catalog: C;
  /**
   * Modules (npm package names or builtins) whose exports the pack's instrumentations patch, e.g. `['opossum']`.
   * The register entry's ESM loader hook wraps only modules some instrumentation asks for; declaring them here lets
   * the hook wrap them even when the app imports them before the pack's (possibly asynchronous) setup has created
   * its instrumentation.
   */
  readonly patches?: readonly string[];
  setup(ctx: PackContext): PackHandle | void | Promise<PackHandle | void>;
}

const PACK_BRAND: unique symbol = Symbol.for('otelkit.pack');

/** Declares a pack. Pure: no side effects, so importing a pack does nothing until core calls `setup`. */
export function definePack<const C extends Catalog>(definition: PackDefinition<C>): PackDefinition<C> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(definition.name)) {
    throw new TypeError(`otelkit: pack name ${JSON.stringify(definition.name)} must be kebab-case`);
  }
  const patches: unknown = definition.patches;
  if (patches !== undefined && !(Array.isArray(patches) && patches.every((m) => typeof m === 'string' && m !== ''))) {
    throw new TypeError(`otelkit: pack ${definition.name}: patches must be a list of module names, got ${JSON.stringify(patches)}`);
  }
  const pack = Object.defineProperty({ ...definition }, PACK_BRAND, { value: true });
  return Object.freeze(pack);
}

export function isPackDefinition(value: unknown): value is PackDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PACK_BRAND] === true;
}
