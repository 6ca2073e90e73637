// The committed dashboards, rule files and README tables must equal what the pack catalogs generate, and every
// dashboard must be structurally sound and query only metrics some catalog defines.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateArtifacts, type CatalogMetric } from './artifacts.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const dashboardsDir = join(root, 'collector/grafana/dashboards');

interface Target { expr?: string; datasource?: { uid?: string } }
interface Panel { id: number; type: string; title: string; datasource?: { uid?: string }; targets?: Target[] }
interface Dashboard { uid: string; schemaVersion: number; links: { url?: string }[]; panels: Panel[]; templating: { list: { name: string; type: string; query?: unknown }[] } }

// The built builders (CI builds before testing), typed structurally so this file typechecks before a build.
const artifactsModule = (): Promise<{
  familyName(def: CatalogMetric): string;
  metricNamesIn(expr: string): string[];
  runtimeCatalog: readonly CatalogMetric[];
  selfCatalog: readonly CatalogMetric[];
  errorRatioRecord(window: string): string;
  SLO_WINDOWS: readonly string[];
  COLLECTOR_METRICS: readonly string[];
}> => import(join(root, 'packages/node/dist/artifacts/index.js'));

describe('pnpm generate --check', () => {
  it('finds every generated file current', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/generate.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/generated files are current/);
    expect(r.status).toBe(0);
  });
});

describe('Grafana dashboards', () => {
  const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort();
  const dashboards = files.map((f) => JSON.parse(readFileSync(join(dashboardsDir, f), 'utf8')) as Dashboard);

  it('exist for every pack and for the service, its SLOs and its telemetry pipeline (core) with unique uids, each linking to the service one', async () => {
    const { packs } = await generateArtifacts(root);
    expect(files).toEqual([...packs.map((p) => `${p.name}.json`), 'service.json', 'slo.json', 'pipeline.json'].sort());
    for (const d of dashboards) {
      if (d.uid === 'otelkit-service') expect(d.links).toEqual([]);
      else expect(d.links.map((l) => l.url)).toEqual(['/d/otelkit-service']);
    }
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(40);
  });

  it('use the datasource variable in every panel and query, with an expr in every query', () => {
    for (const d of dashboards) {
      expect(d.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
      expect(d.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['job', 'instance']));
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels.filter((x) => x.type !== 'row')) {
        expect(p.datasource?.uid, `${d.uid} / ${p.title}`).toBe('${datasource}');
        expect(p.targets?.length, `${d.uid} / ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) {
          expect(t.expr, `${d.uid} / ${p.title}`).toMatch(/\S/);
          expect(t.datasource?.uid).toBe('${datasource}');
          expect(t.expr).not.toMatch(/\{\{/);
        }
      }
    }
  });

  it('query only metrics that a catalog (packs, core\'s runtime and self-telemetry) defines, the SLO rules record, or the collector exports about itself', async () => {
    const { familyName, metricNamesIn, runtimeCatalog, selfCatalog, errorRatioRecord, SLO_WINDOWS, COLLECTOR_METRICS } = await artifactsModule();
    const { packs } = await generateArtifacts(root);
    const known = new Set<string>([...SLO_WINDOWS.map(errorRatioRecord), ...COLLECTOR_METRICS]);
    for (const def of [...packs.flatMap((p) => p.catalog), ...runtimeCatalog, ...selfCatalog]) {
      const family = familyName(def);
      known.add(family);
      if (def.kind === 'histogram') for (const s of ['_bucket', '_count', '_sum']) known.add(family + s);
    }
    const used = new Set<string>();
    for (const d of dashboards) {
      for (const p of d.panels) for (const t of p.targets ?? []) for (const n of metricNamesIn(t.expr ?? '')) used.add(n);
      for (const v of d.templating.list) {
        // label_values(<selector>, <label>): only the selector names a metric.
        const selector = typeof v.query === 'string' ? /^label_values\((.*),\s*\w+\)$/.exec(v.query)?.[1] : undefined;
        if (selector !== undefined) for (const n of metricNamesIn(selector)) used.add(n);
      }
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
  });
});
