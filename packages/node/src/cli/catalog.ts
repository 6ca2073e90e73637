import type { MetricDefinition } from '../catalog.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { prometheusNameForKind, prometheusTypeOf } from '../prometheus/naming.js';
import { runtimeCatalog } from '../runtime/catalog.js';
import { installedPackDefinitions } from './packs.js';
import { table } from './report.js';

/** One metric row of `otelkit catalog`. */
export interface CatalogRow {
  readonly source: string;
  readonly otelName: string;
  readonly prometheusName: string;
  readonly kind: string;
  readonly prometheusType: string;
  readonly unit: string;
  readonly attributes: readonly string[];
  readonly description: string;
}

function row(source: string, def: MetricDefinition, namespace: string): CatalogRow {
  const otelName = namespace === '' ? def.name : `${namespace}.${def.name}`;
  return {
    source,
    otelName,
    prometheusName: prometheusNameForKind(otelName, def.unit, def.kind),
    kind: def.kind,
    prometheusType: prometheusTypeOf(def.kind),
    unit: def.unit,
    attributes: def.attributes.map((a) => (a.values === undefined ? a.key : `${a.key} (${a.values.join('|')})`)),
    description: def.description,
  };
}

/** Metrics of every installed pack (namespace applied) and, unless disabled, otelkit's runtime metrics. */
export async function collectCatalog(config: ResolvedConfig): Promise<{ rows: CatalogRow[]; errors: { package: string; error: string }[] }> {
  const rows: CatalogRow[] = [];
  const errors: { package: string; error: string }[] = [];
  for (const pack of await installedPackDefinitions(config)) {
    if (pack.definition === undefined) {
      errors.push({ package: pack.package, error: pack.error ?? 'unknown error' });
      continue;
    }
    for (const def of pack.definition.catalog) rows.push(row(pack.package, def, config.metrics.namespace));
  }
  if (config.metrics.runtime) for (const def of runtimeCatalog) rows.push(row('@otelkit/node (runtime)', def, ''));
  return { rows, errors };
}

export function formatCatalog({ rows, errors }: { rows: readonly CatalogRow[]; errors: readonly { package: string; error: string }[] }): string {
  const out = [
    table(
      ['source', 'OTel name', 'Prometheus name', 'kind', 'unit', 'attributes'],
      rows.map((r) => [r.source, r.otelName, r.prometheusName, r.kind, r.unit, r.attributes.join(', ')]),
    ),
  ];
  for (const e of errors) out.push(`otelkit: pack ${e.package} could not be read: ${e.error}`);
  if (rows.length === 0) out.push('No metrics: no packs installed and runtime metrics are off.');
  return out.join('\n');
}
