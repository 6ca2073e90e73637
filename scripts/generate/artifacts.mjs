// Computes every generated artefact (pack README tables, Grafana dashboards, Prometheus rules) from the packs'
// built modules. Pure: returns path → content; scripts/generate.mjs writes or checks them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Name of the rule file (and group, `otelkit-service`) of core's own alerts; no pack may take it. */
export const SERVICE_RULES = 'service';
/** Name of the rule file (and group) of the telemetry pipeline's own alerts; no pack may take it either. */
export const PIPELINE_RULES = 'pipeline';
/** Name of the rule file of the packs' service level objectives (one group per SLO). */
export const SLO_RULES = 'slo';

/** Where the server dashboards go: a folder of their own, since they show data only with collector/receivers.yaml on. */
export const SERVER_DASHBOARDS = 'collector/grafana/dashboards/servers';
/** The document listing the server metrics (generated tables between catalog markers). */
export const SERVERS_DOC = 'collector/servers.md';

/** The workspace packages that declare an otelkit pack, in name order. */
export function packPackages(root) {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((pkgDir) => {
      const file = join(pkgDir, 'package.json');
      return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).otelkit?.pack !== undefined;
    });
}

async function importDist(pkgDir, file) {
  const path = join(pkgDir, 'dist', file);
  if (!existsSync(path)) return undefined;
  return import(pathToFileURL(path).href);
}

/**
 * A pack's name, catalog, dashboards and alerts. Reads the pack entry (`otelkit.pack`) when it is built, and
 * otherwise the catalog/dashboards/alerts modules, so artefacts can be generated while a pack's setup is unfinished.
 */
export async function loadPack(pkgDir) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const entry = join(pkgDir, pkg.otelkit.pack);
  const name = pkg.name.replace(/^@otelkit\//, '');
  if (existsSync(entry)) {
    const mod = await import(pathToFileURL(entry).href);
    const pack = mod.default;
    return { dir: pkgDir, name: pack.name, catalog: pack.catalog, dashboards: pack.dashboards ?? [], alerts: pack.alerts ?? [], slos: pack.slos ?? [] };
  }
  const catalog = (await importDist(pkgDir, 'catalog.js'))?.catalog;
  if (catalog === undefined) throw new Error(`${relative(process.cwd(), pkgDir)}: not built (no dist/catalog.js); run pnpm build first`);
  const dashboards = (await importDist(pkgDir, 'dashboards.js'))?.dashboards ?? [];
  const alerts = (await importDist(pkgDir, 'alerts.js'))?.alerts ?? [];
  const slos = (await importDist(pkgDir, 'slos.js'))?.slos ?? [];
  return { dir: pkgDir, name, catalog, dashboards, alerts, slos };
}

/**
 * Every generated file: `{ files: Map<relative path, content>, notes: string[] }`.
 * Notes name READMEs that have no catalog markers (nothing to generate there yet).
 */
/** SLO objectives by name (fractions) for the committed files: each SLI's own default. */
export async function generateArtifacts(root, { objectives = {} } = {}) {
  const artifacts = await import(pathToFileURL(join(root, 'packages/node/dist/artifacts/index.js')).href);
  const packs = await Promise.all(packPackages(root).map(loadPack));
  const allCatalog = packs.flatMap((p) => p.catalog);
  const files = new Map();
  const notes = [];
  for (const pack of packs) {
    const readmePath = join(pack.dir, 'README.md');
    const rel = (p) => relative(root, p);
    if (existsSync(readmePath)) {
      const updated = artifacts.replaceCatalogSection(readFileSync(readmePath, 'utf8'), artifacts.metricTable(pack.catalog));
      if (updated === undefined) notes.push(`${rel(readmePath)} has no ${artifacts.CATALOG_START} / ${artifacts.CATALOG_END} markers`);
      else files.set(rel(readmePath), updated);
    } else {
      notes.push(`${rel(readmePath)} does not exist yet`);
    }
    pack.dashboards.forEach((spec) => {
      // A pack may read other packs' metrics (e.g. http next to commands), so names resolve against all catalogs,
      // its own first.
      const dashboard = artifacts.buildDashboard(spec, { pack: pack.name, catalog: [...pack.catalog, ...allCatalog] });
      const file = spec.id === undefined ? `${pack.name}.json` : `${spec.id}.json`;
      files.set(join('collector/grafana/dashboards', file), `${JSON.stringify(dashboard, null, 2)}\n`);
    });
    if (pack.alerts.length > 0) {
      const rules = artifacts.buildRules(pack.alerts, { pack: pack.name, catalog: pack.catalog });
      files.set(
        join('collector/prometheus/rules', `${pack.name}.rules.yml`),
        artifacts.rulesToYaml(rules, `the ${pack.name} pack (packages/${relative(join(root, 'packages'), pack.dir)}/src/alerts.ts)`),
      );
    }
  }
  // Core's README: the runtime metric table and the queries the service alerts use, both from core's modules.
  const coreReadme = join(root, 'packages/node/README.md');
  const queries = artifacts.runtimeQueries.map((q) => `| ${q.what} | \`${artifacts.expandPromQL(q.expr, { catalog: artifacts.runtimeCatalog })}\` |`);
  const coreTables = `${artifacts.metricTable(artifacts.runtimeCatalog)}\n\n| what | PromQL |\n|---|---|\n${queries.join('\n')}`;
  const updatedCore = artifacts.replaceCatalogSection(readFileSync(coreReadme, 'utf8'), coreTables, 'src/runtime/catalog.ts and src/runtime/queries.ts');
  if (updatedCore === undefined) notes.push(`packages/node/README.md has no ${artifacts.CATALOG_START} / ${artifacts.CATALOG_END} markers`);
  else files.set('packages/node/README.md', updatedCore);
  // The service overview dashboard: core's runtime catalog plus the packs' (it shows the http pack's requests).
  const service = artifacts.buildDashboard(artifacts.serviceDashboard, { pack: SERVICE_RULES, catalog: [...artifacts.runtimeCatalog, ...allCatalog] });
  files.set(join('collector/grafana/dashboards', `${artifacts.serviceDashboard.id}.json`), `${JSON.stringify(service, null, 2)}\n`);
  // The service itself (health and resources) from core's runtime catalog, the same way as a pack's alerts.
  const serviceRules = artifacts.buildRules(artifacts.runtimeAlerts, { pack: SERVICE_RULES, catalog: artifacts.runtimeCatalog });
  files.set(
    join('collector/prometheus/rules', `${SERVICE_RULES}.rules.yml`),
    artifacts.rulesToYaml(serviceRules, 'core\'s runtime catalog (packages/node/src/runtime/alerts.ts)'),
  );
  // The telemetry pipeline itself: otelkit's self-telemetry and the collector's own metrics.
  const pipelineRules = artifacts.buildRules(artifacts.pipelineAlerts, { pack: PIPELINE_RULES, catalog: artifacts.selfCatalog });
  files.set(
    join('collector/prometheus/rules', `${PIPELINE_RULES}.rules.yml`),
    artifacts.rulesToYaml(pipelineRules, 'otelkit\'s self-telemetry catalog and the collector\'s metrics (packages/node/src/sdk/pipeline-alerts.ts)'),
  );
  const pipelineBoard = artifacts.buildDashboard(artifacts.pipelineDashboard, { pack: PIPELINE_RULES, catalog: artifacts.selfCatalog });
  files.set(join('collector/grafana/dashboards', `${artifacts.pipelineDashboard.id}.json`), `${JSON.stringify(pipelineBoard, null, 2)}\n`);
  // Service level objectives: the packs' SLIs, one recording-and-alerting group per SLO.
  const slos = packs.flatMap((p) => p.slos);
  if (slos.length > 0) {
    const sloRules = artifacts.buildSloRules(slos, { catalog: allCatalog, objectives });
    files.set(join('collector/prometheus/rules', `${SLO_RULES}.rules.yml`), artifacts.rulesToYaml(sloRules, 'the packs\' SLIs (packages/*/src/slos.ts) and their default objectives'));
    const sloBoard = artifacts.buildDashboard(artifacts.sloDashboard(slos, { catalog: allCatalog, objectives }), { pack: SLO_RULES, catalog: allCatalog });
    files.set(join('collector/grafana/dashboards', 'slo.json'), `${JSON.stringify(sloBoard, null, 2)}\n`);
  }
  // Server metrics (collector/receivers.yaml): a dashboard and a rule file per server, their tables in servers.md.
  for (const server of artifacts.servers) {
    const board = artifacts.buildDashboard(server.dashboard, { pack: server.name, catalog: server.catalog });
    files.set(join(SERVER_DASHBOARDS, `${server.name}.json`), `${JSON.stringify(board, null, 2)}\n`);
    const rules = artifacts.buildRules(server.alerts, { pack: server.name, catalog: server.catalog });
    files.set(join('collector/prometheus/rules', `${server.name}.rules.yml`), artifacts.rulesToYaml(rules, `the ${server.title} server catalog (packages/node/src/servers/${server.name}.ts)`));
  }
  const serversDoc = join(root, SERVERS_DOC);
  const serverTables = artifacts.servers.map((s) => `### ${s.title}: job \`${s.job}\`, from ${s.source}\n\n${artifacts.metricTable(s.catalog)}`).join('\n\n');
  const updatedServers = artifacts.replaceCatalogSection(readFileSync(serversDoc, 'utf8'), serverTables, 'packages/node/src/servers/*.ts');
  if (updatedServers === undefined) notes.push(`${SERVERS_DOC} has no ${artifacts.CATALOG_START} / ${artifacts.CATALOG_END} markers`);
  else files.set(SERVERS_DOC, updatedServers);
  return { files, notes, packs };
}
