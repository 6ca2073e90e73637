// Types for artifacts.mjs (plain ESM so `pnpm generate` runs without a build step of its own). Structural, so the
// scripts typecheck before the packages are built.

export interface CatalogMetric {
  readonly name: string;
  readonly kind: 'counter' | 'up_down_counter' | 'histogram' | 'gauge' | 'state_set';
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly { readonly key: string; readonly values?: readonly string[]; readonly optional?: boolean }[];
}

export interface LoadedPack {
  readonly dir: string;
  readonly name: string;
  readonly catalog: readonly CatalogMetric[];
  readonly dashboards: readonly unknown[];
  readonly alerts: readonly unknown[];
  readonly slos: readonly unknown[];
}

export declare const SERVICE_RULES: 'service';
export declare const PIPELINE_RULES: 'pipeline';
export declare const SLO_RULES: 'slo';
export declare const SERVER_DASHBOARDS: string;
export declare const SERVERS_DOC: string;
export declare function packPackages(root: string): string[];
export declare function loadPack(pkgDir: string): Promise<LoadedPack>;
export declare function generateArtifacts(root: string, options?: { objectives?: Readonly<Record<string, number>> }): Promise<{
  files: Map<string, string>;
  notes: string[];
  packs: LoadedPack[];
}>;
