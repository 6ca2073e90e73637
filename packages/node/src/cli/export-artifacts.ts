import { buildDashboard } from '../artifacts/dashboard.js';
import { buildRules, rulesToYaml } from '../artifacts/rules.js';
import { buildSloRules, sloDashboard, type SloSpec } from '../artifacts/slo.js';
import type { AlertSpec, DashboardSpec } from '../artifacts/types.js';
import { describeError } from '../errors.js';
import type { PackDefinition } from '../pack.js';

/** Which artefacts `otelkit export --only` keeps. */
export type ExportKind = 'dashboards' | 'rules';

/** An installed pack whose definition could be imported. */
export interface ExportablePack {
  /** npm package name, e.g. `@otelkit/commands`. */
  readonly package: string;
  readonly version: string | null;
  readonly definition: PackDefinition;
}

/** One artefact file, its path relative to the export directory (always `/`-separated). */
export interface ArtifactFile {
  readonly package: string;
  readonly pack: string;
  readonly kind: 'dashboard' | 'rules';
  readonly relPath: string;
  readonly content: string;
}

export interface BuildExportOptions {
  /** Metric namespace the deployment uses; '' for none (then the files equal the committed ones). */
  readonly namespace: string;
  readonly only?: ExportKind;
  /**
   * SLO objectives as percentages, by SLO name or by pack name (every SLO of that pack), e.g. `{ commands: 99.9 }`;
   * the SLIs' defaults otherwise. A key that names no installed SLO or pack is an error.
   */
  readonly objectives?: Readonly<Record<string, number>>;
}

/** The rule-file header of the SLO rules; without objectives the same text `pnpm generate` writes. */
function sloSource(objectives: Readonly<Record<string, number>> | undefined): string {
  const given = Object.entries(objectives ?? {});
  if (given.length === 0) return "the packs' SLIs (packages/*/src/slos.ts) and their default objectives";
  return `the packs' SLIs (packages/*/src/slos.ts) with objectives ${given.map(([k, v]) => `${k}=${v}`).join(',')}`;
}

// Pack names are kebab-case (definePack checks) but dashboard ids come from third-party data: a file name must not
// be able to leave the export directory.
const FILE_STEM = /^[a-z0-9][a-z0-9._-]*$/;

function stem(value: string, what: string): string {
  if (!FILE_STEM.test(value) || value.includes('..')) throw new Error(`${what} ${JSON.stringify(value)} cannot be used as a file name`);
  return value;
}

/**
 * The rule-file header names where the alerts come from. For otelkit's own packs it is the same text
 * `pnpm generate` writes, so an export without namespace equals the committed files byte for byte.
 */
function rulesSource(pack: ExportablePack): string {
  const own = /^@otelkit\/([a-z0-9-]+)$/.exec(pack.package);
  if (own !== null) return `the ${pack.definition.name} pack (packages/${own[1]}/src/alerts.ts)`;
  return `the ${pack.definition.name} pack (${pack.package}${pack.version === null ? '' : `@${pack.version}`})`;
}

/**
 * Grafana dashboards and Prometheus rule files of the given packs, built the way `scripts/generate/artifacts.mjs`
 * builds the committed ones. A pack whose specs do not build is reported and skipped; the others are still built.
 */
export function buildExport(
  packs: readonly ExportablePack[],
  options: BuildExportOptions,
): { files: ArtifactFile[]; errors: { package: string; error: string }[] } {
  // A dashboard may read other installed packs' metrics (e.g. http next to commands); its own pack's resolve first.
  const allCatalog = packs.flatMap((p) => p.definition.catalog);
  const files: ArtifactFile[] = [];
  const errors: { package: string; error: string }[] = [];
  const taken = new Map<string, string>();
  for (const pack of packs) {
    const { definition } = pack;
    try {
      const own: ArtifactFile[] = [];
      if (options.only !== 'rules') {
        for (const spec of (definition.dashboards ?? []) as readonly DashboardSpec[]) {
          const dashboard = buildDashboard(spec, { pack: definition.name, catalog: [...definition.catalog, ...allCatalog], namespace: options.namespace });
          const name = spec.id === undefined ? stem(definition.name, 'pack name') : stem(spec.id, 'dashboard id');
          own.push({ package: pack.package, pack: definition.name, kind: 'dashboard', relPath: `grafana/dashboards/${name}.json`, content: `${JSON.stringify(dashboard, null, 2)}\n` });
        }
      }
      const alerts = (definition.alerts ?? []) as readonly AlertSpec[];
      if (options.only !== 'dashboards' && alerts.length > 0) {
        const rules = buildRules(alerts, { pack: definition.name, catalog: definition.catalog, namespace: options.namespace });
        own.push({
          package: pack.package,
          pack: definition.name,
          kind: 'rules',
          relPath: `prometheus/rules/${stem(definition.name, 'pack name')}.rules.yml`,
          content: rulesToYaml(rules, rulesSource(pack)),
        });
      }
      for (const file of own) {
        const other = taken.get(file.relPath);
        if (other !== undefined) throw new Error(`${file.relPath} is also produced by ${other}`);
      }
      for (const file of own) {
        taken.set(file.relPath, pack.package);
        files.push(file);
      }
    } catch (error) {
      errors.push({ package: pack.package, error: describeError(error).replace(/^otelkit: /, '') });
    }
  }
  const slos = packs.flatMap((p) => ((p.definition.slos ?? []) as readonly SloSpec[]).map((slo) => ({ pack: p, slo })));
  try {
    const fractions: Record<string, number> = {};
    for (const [key, percent] of Object.entries(options.objectives ?? {})) {
      const matching = slos.filter(({ pack, slo }) => slo.name === key || pack.definition.name === key);
      if (matching.length === 0) {
        const known = [...new Set(slos.flatMap(({ pack, slo }) => [pack.definition.name, slo.name]))].join(', ') || 'none';
        throw new Error(`--slo ${key}: no installed pack or SLO of that name (SLOs: ${known})`);
      }
      for (const { slo } of matching) fractions[slo.name] = percent / 100;
    }
    if (slos.length > 0) {
      const specs = slos.map(({ slo }) => slo);
      const sloOptions = { catalog: allCatalog, objectives: fractions, namespace: options.namespace };
      const from = slos.map(({ pack }) => pack.package).filter((v, i, a) => a.indexOf(v) === i).join(', ');
      if (options.only !== 'dashboards') {
        files.push({ package: from, pack: 'slo', kind: 'rules', relPath: 'prometheus/rules/slo.rules.yml', content: rulesToYaml(buildSloRules(specs, sloOptions), sloSource(options.objectives)) });
      }
      if (options.only !== 'rules') {
        const dashboard = buildDashboard(sloDashboard(specs, sloOptions), { pack: 'slo', catalog: allCatalog, namespace: options.namespace });
        files.push({ package: from, pack: 'slo', kind: 'dashboard', relPath: 'grafana/dashboards/slo.json', content: `${JSON.stringify(dashboard, null, 2)}\n` });
      }
    }
  } catch (error) {
    errors.push({ package: 'slo', error: describeError(error).replace(/^otelkit: /, '') });
  }
  return { files, errors };
}

/**
 * `--slo commands=99.9,http=99.5`: objectives in percent by SLO or pack name, or the message for exit code 2.
 */
export function parseSloObjectives(raw: string): { objectives: Record<string, number> } | { error: string } {
  const out: Record<string, number> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    const value = eq < 0 ? Number.NaN : Number(item.slice(eq + 1).trim());
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(key) || !(value > 0 && value < 100)) {
      return { error: `--slo takes name=percent pairs, a percent between 0 and 100 exclusive (commands=99.9,http=99.5), got ${JSON.stringify(item)}` };
    }
    out[key] = value;
  }
  if (Object.keys(out).length === 0) return { error: '--slo needs at least one name=percent pair, e.g. commands=99.9' };
  return { objectives: out };
}
