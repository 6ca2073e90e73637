import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isRejection, parseNamespace } from '../config/parse.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { discoverPacks } from '../pack-loader.js';
import { buildExport, parseSloObjectives, type ExportablePack, type ExportKind } from './export-artifacts.js';
import { installedPackDefinitions } from './packs.js';

/** Default directory of `otelkit export`, relative to the working directory. */
export const DEFAULT_EXPORT_DIR = 'otelkit-artifacts';

export interface ExportOptions {
  /** Target directory (resolved against the working directory). */
  readonly out: string;
  /** Metric namespace; '' for none. */
  readonly namespace: string;
  readonly only?: ExportKind;
  /** Overwrite existing files whose content differs. */
  readonly force: boolean;
  /** SLO objectives in percent by SLO or pack name (`--slo`). */
  readonly objectives?: Readonly<Record<string, number>>;
}

/** One file of the export and what happened to it. */
export interface ExportedFile {
  readonly package: string;
  readonly pack: string;
  readonly kind: 'dashboard' | 'rules';
  /** Absolute path. */
  readonly path: string;
  /** `conflict`: exists with other content and was left alone (no `--force`); nothing was written then. */
  readonly status: 'written' | 'overwritten' | 'unchanged' | 'conflict';
}

export interface ExportReport {
  readonly ok: boolean;
  readonly out: string;
  readonly namespace: string;
  readonly packs: readonly string[];
  readonly files: readonly ExportedFile[];
  readonly errors: readonly { package: string; error: string }[];
  /** Set when nothing could be exported at all (no app, no packs, nothing to write, conflicts). */
  readonly problem: string | null;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A path as the user would type it: relative to the working directory when it lies below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * Writes the dashboards and rule files of the packs installed in the app into `options.out`. Every file is
 * compared first, so a refused overwrite leaves the directory as it was.
 */
export async function runExport(config: ResolvedConfig, options: ExportOptions): Promise<ExportReport> {
  const out = resolve(options.out);
  const base = { out, namespace: options.namespace, packs: [] as string[], files: [] as ExportedFile[], errors: [] as { package: string; error: string }[] };
  if (config.appPackageJson === undefined) {
    return { ...base, ok: false, problem: 'no package.json in the working directory or above it: run otelkit export in the app directory' };
  }
  if (discoverPacks(config.appPackageJson).length === 0) {
    return {
      ...base,
      ok: false,
      problem: `no otelkit packs are installed for ${config.appPackageJson} (no dependency declares "otelkit": { "pack": ... }); nothing to export`,
    };
  }
  const versions = new Map(discoverPacks(config.appPackageJson).map((d) => [d.packageName, d.version ?? null]));
  const packs: ExportablePack[] = [];
  for (const p of await installedPackDefinitions(config)) {
    if (p.definition === undefined) base.errors.push({ package: p.package, error: `could not be read: ${p.error ?? 'unknown error'}` });
    else packs.push({ package: p.package, version: versions.get(p.package) ?? null, definition: p.definition });
  }
  base.packs.push(...packs.map((p) => p.package));
  const built = buildExport(packs, {
    namespace: options.namespace,
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.objectives === undefined ? {} : { objectives: options.objectives }),
  });
  base.errors.push(...built.errors);
  if (built.files.length === 0) {
    const what = options.only === 'dashboards' ? 'dashboards' : options.only === 'rules' ? 'alert rules' : 'dashboards or alert rules';
    const problem = packs.length === 0 ? 'no installed pack could be read; nothing to export' : `the installed packs (${base.packs.join(', ')}) define no ${what}; nothing to export`;
    return { ...base, ok: false, problem };
  }

  const planned = built.files.map((f) => {
    const path = join(out, ...f.relPath.split('/'));
    const current = readIfExists(path);
    const status: ExportedFile['status'] = current === undefined ? 'written' : current === f.content ? 'unchanged' : options.force ? 'overwritten' : 'conflict';
    return { file: f, path, status };
  });
  const files = planned.map(({ file, path, status }): ExportedFile => ({ package: file.package, pack: file.pack, kind: file.kind, path, status }));
  const conflicts = planned.filter((p) => p.status === 'conflict');
  if (conflicts.length > 0) {
    return {
      ...base,
      files,
      ok: false,
      problem: `nothing was written: ${conflicts.length} file(s) exist with other content (use --force to overwrite them):${conflicts.map((c) => `\n  ${shown(c.path)}`).join('')}`,
    };
  }
  for (const { file, path, status } of planned) {
    if (status === 'unchanged') continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  return { ...base, files, ok: base.errors.length === 0, problem: null };
}

/** stdout text: one line per file (none when nothing was written); problems go to stderr (`exportProblems`). */
export function formatExport(report: ExportReport): string {
  if (report.problem !== null) return '';
  const verb = { written: 'wrote', overwritten: 'overwrote', unchanged: 'unchanged', conflict: 'conflict' } as const;
  return report.files.map((f) => `${verb[f.status]} ${shown(f.path)}`).join('\n');
}

/** The `otelkit:` lines for stderr: each pack that failed, then why nothing was exported (if so). */
export function exportProblems(report: ExportReport): string[] {
  const lines = report.errors.map((e) => `otelkit: pack ${e.package}: ${e.error}`);
  if (report.problem !== null) lines.push(`otelkit: ${report.problem}`);
  return lines;
}

/**
 * Turns the command line into export options, or the message for exit code 2. `--namespace ''` exports without
 * a namespace even when `OTELKIT_METRIC_NAMESPACE` sets one.
 */
export function exportOptionsFrom(
  values: { out?: string | undefined; namespace?: string | undefined; only?: string | undefined; force?: boolean | undefined; slo?: string | undefined },
  positionals: readonly string[],
  config: ResolvedConfig,
): ExportOptions | { error: string } {
  if (positionals.length > 1) return { error: `export takes no positional arguments, got ${JSON.stringify(positionals.slice(1).join(' '))}` };
  if (values.out !== undefined && values.out.trim() === '') return { error: '--out needs a directory' };
  const { only } = values;
  if (only !== undefined && only !== 'dashboards' && only !== 'rules') return { error: `--only must be "dashboards" or "rules", got ${JSON.stringify(only)}` };
  let namespace = config.metrics.namespace;
  if (values.namespace !== undefined) {
    const parsed = values.namespace.trim() === '' ? '' : parseNamespace(values.namespace);
    if (isRejection(parsed)) return { error: `--namespace must be ${parsed.expected}, got ${JSON.stringify(values.namespace)}` };
    namespace = parsed;
  }
  let objectives: Record<string, number> | undefined;
  if (values.slo !== undefined) {
    const parsed = parseSloObjectives(values.slo);
    if ('error' in parsed) return { error: parsed.error };
    objectives = parsed.objectives;
  }
  const base = { out: values.out ?? DEFAULT_EXPORT_DIR, namespace, force: values.force === true, ...(objectives === undefined ? {} : { objectives }) };
  return only === undefined ? base : { ...base, only };
}
