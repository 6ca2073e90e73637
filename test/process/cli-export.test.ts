import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `otelkit export` as users run it: the built bin, spawned in an app directory whose package.json depends on the
// workspace packs (linked into its node_modules the way a package manager would install them).
const BIN = fileURLToPath(new URL('../../packages/node/dist/cli/main.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKS = ['circuit-breakers', 'commands', 'db', 'event-store', 'http', 'projections'] as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function otelkit(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

function makeApp(dependencies: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-export-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'export-fixture-app', dependencies }));
  return dir;
}

function linkWorkspacePack(app: string, pack: string): void {
  mkdirSync(join(app, 'node_modules', '@otelkit'), { recursive: true });
  symlinkSync(fileURLToPath(new URL(`../node_modules/@otelkit/${pack}`, import.meta.url)), join(app, 'node_modules', '@otelkit', pack), 'dir');
}

const committedDashboard = (pack: string): string => readFileSync(join(REPO, 'collector/grafana/dashboards', `${pack}.json`), 'utf8');
const committedRules = (pack: string): string => readFileSync(join(REPO, 'collector/prometheus/rules', `${pack}.rules.yml`), 'utf8');

const apps: string[] = [];
let app: string;

beforeAll(() => {
  app = makeApp(Object.fromEntries([...PACKS.map((p) => [`@otelkit/${p}`, 'workspace:*']), ['left-pad', '1.3.0']]));
  for (const pack of PACKS) linkWorkspacePack(app, pack);
  apps.push(app);
});

afterAll(() => {
  for (const dir of apps) rmSync(dir, { recursive: true, force: true });
});

describe('otelkit export', () => {
  it('writes every installed pack\'s dashboard and rules, byte-identical to the committed files', async () => {
    const run = await otelkit(['export'], app);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').sort();
    expect(lines).toEqual(
      [
        ...PACKS.flatMap((p) => [`wrote otelkit-artifacts/grafana/dashboards/${p}.json`, `wrote otelkit-artifacts/prometheus/rules/${p}.rules.yml`]),
        'wrote otelkit-artifacts/prometheus/rules/slo.rules.yml',
        'wrote otelkit-artifacts/grafana/dashboards/slo.json',
      ].sort(),
    );
    // The SLOs of every installed pack with their default objectives: the committed rules and dashboard.
    expect(readFileSync(join(app, 'otelkit-artifacts/prometheus/rules/slo.rules.yml'), 'utf8')).toBe(committedRules('slo'));
    expect(readFileSync(join(app, 'otelkit-artifacts/grafana/dashboards/slo.json'), 'utf8')).toBe(committedDashboard('slo'));
    for (const pack of PACKS) {
      expect(readFileSync(join(app, 'otelkit-artifacts/grafana/dashboards', `${pack}.json`), 'utf8')).toBe(committedDashboard(pack));
      expect(readFileSync(join(app, 'otelkit-artifacts/prometheus/rules', `${pack}.rules.yml`), 'utf8')).toBe(committedRules(pack));
    }
    expect(readdirSync(join(app, 'otelkit-artifacts/grafana/dashboards')).sort()).toEqual([...PACKS.map((p) => `${p}.json`), 'slo.json'].sort());

    const again = await otelkit(['export'], app);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged otelkit-artifacts/grafana/dashboards/commands.json');
    expect(again.stdout).not.toContain('wrote');
  });

  it('exports only the packs the app depends on, into --out, and only the kind asked for', async () => {
    const small = makeApp({ '@otelkit/commands': '*' });
    apps.push(small);
    linkWorkspacePack(small, 'commands');
    // Installed but not a dependency of the app: not exported.
    linkWorkspacePack(small, 'http');
    const out = join(small, 'deploy', 'observability');
    const run = await otelkit(['export', '--out', out, '--only', 'dashboards', '--json'], small);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; packs: string[]; files: { package: string; kind: string; path: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.packs).toEqual(['@otelkit/commands']);
    expect(report.files).toEqual([
      { package: '@otelkit/commands', pack: 'commands', kind: 'dashboard', path: join(out, 'grafana/dashboards/commands.json'), status: 'written' },
      { package: '@otelkit/commands', pack: 'slo', kind: 'dashboard', path: join(out, 'grafana/dashboards/slo.json'), status: 'written' },
    ]);
    expect(readFileSync(join(out, 'grafana/dashboards/commands.json'), 'utf8')).toBe(committedDashboard('commands'));
    // Only the installed pack's SLOs.
    const sloBoard = readFileSync(join(out, 'grafana/dashboards/slo.json'), 'utf8');
    expect(sloBoard).toContain('commands-latency');
    expect(sloBoard).not.toContain('http-availability');
    expect(existsSync(join(out, 'prometheus'))).toBe(false);

    const rules = await otelkit(['export', '--out', 'r', '--only', 'rules'], small);
    expect(rules.code).toBe(0);
    expect(rules.stdout.trim().split('\n')).toEqual(['wrote r/prometheus/rules/commands.rules.yml', 'wrote r/prometheus/rules/slo.rules.yml']);
    // Only the installed pack's SLO.
    expect(readFileSync(join(small, 'r/prometheus/rules/slo.rules.yml'), 'utf8')).not.toContain('http-availability');
    expect(existsSync(join(small, 'r', 'grafana'))).toBe(false);
  });

  it('applies --namespace, and OTELKIT_METRIC_NAMESPACE by default', async () => {
    const ns = makeApp({ '@otelkit/commands': '*' });
    apps.push(ns);
    linkWorkspacePack(ns, 'commands');
    const committed = committedRules('commands');
    // The pack's Prometheus series names without namespace, as `otelkit catalog` reports them.
    const catalog = await otelkit(['catalog', '--json'], ns);
    const families = (JSON.parse(catalog.stdout) as { rows: { source: string; prometheusName: string }[] }).rows
      .filter((r) => r.source === '@otelkit/commands')
      .map((r) => r.prometheusName.replace(/_total$/, ''));
    const bare = (family: string): RegExp => new RegExp(`(?<![a-z0-9_])${family}`);
    expect(families.filter((f) => bare(f).test(committed)).length).toBeGreaterThan(0);

    const flag = await otelkit(['export', '--out', 'flag', '--namespace', 'shop'], ns);
    expect(flag.code).toBe(0);
    const rulesText = readFileSync(join(ns, 'flag/prometheus/rules/commands.rules.yml'), 'utf8');
    const rules = parse(rulesText) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr)).join('\n');
    for (const family of families) expect(exprs).not.toMatch(bare(family));
    expect(exprs).toMatch(/\bshop_command_/);
    const dashboard = readFileSync(join(ns, 'flag/grafana/dashboards/commands.json'), 'utf8');
    expect(dashboard).toMatch(/label_values\(shop_command_/);
    for (const family of families) expect(dashboard).not.toMatch(bare(family));

    const env = await otelkit(['export', '--out', 'env'], ns, { OTELKIT_METRIC_NAMESPACE: 'shop' });
    expect(env.code).toBe(0);
    expect(readFileSync(join(ns, 'env/prometheus/rules/commands.rules.yml'), 'utf8')).toBe(rulesText);

    // An explicit empty namespace wins over the environment: the committed files again.
    const none = await otelkit(['export', '--out', 'none', '--namespace', ''], ns, { OTELKIT_METRIC_NAMESPACE: 'shop' });
    expect(none.code).toBe(0);
    expect(readFileSync(join(ns, 'none/prometheus/rules/commands.rules.yml'), 'utf8')).toBe(committed);
  });

  it('refuses to overwrite files that differ unless --force, and writes nothing then', async () => {
    const dir = makeApp({ '@otelkit/commands': '*' });
    apps.push(dir);
    linkWorkspacePack(dir, 'commands');
    const rulesPath = join(dir, 'otelkit-artifacts/prometheus/rules/commands.rules.yml');
    mkdirSync(join(dir, 'otelkit-artifacts/prometheus/rules'), { recursive: true });
    writeFileSync(rulesPath, '# my own edits\n');

    const refused = await otelkit(['export'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('otelkit: nothing was written: 1 file(s) exist with other content (use --force to overwrite them):');
    expect(refused.stderr).toContain('otelkit-artifacts/prometheus/rules/commands.rules.yml');
    expect(readFileSync(rulesPath, 'utf8')).toBe('# my own edits\n');
    expect(existsSync(join(dir, 'otelkit-artifacts/grafana'))).toBe(false);

    const forced = await otelkit(['export', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout.trim().split('\n').sort()).toEqual([
      'overwrote otelkit-artifacts/prometheus/rules/commands.rules.yml',
      'wrote otelkit-artifacts/grafana/dashboards/commands.json',
      'wrote otelkit-artifacts/grafana/dashboards/slo.json',
      'wrote otelkit-artifacts/prometheus/rules/slo.rules.yml',
    ]);
    expect(readFileSync(rulesPath, 'utf8')).toBe(committedRules('commands'));
  });

  it('says so and exits 1 when no packs are installed', async () => {
    const empty = makeApp({ 'left-pad': '1.3.0' });
    apps.push(empty);
    const run = await otelkit(['export'], empty);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^otelkit: no otelkit packs are installed for .*package\.json .*nothing to export\n$/);
    expect(existsSync(join(empty, 'otelkit-artifacts'))).toBe(false);
  });

  it('exports the packs that build and exits 1 naming the one that does not', async () => {
    const mixed = makeApp({ '@otelkit/commands': '*', 'broken-pack': '1.0.0' });
    apps.push(mixed);
    linkWorkspacePack(mixed, 'commands');
    const broken = join(mixed, 'node_modules', 'broken-pack');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'package.json'), JSON.stringify({ name: 'broken-pack', version: '1.0.0', type: 'module', otelkit: { pack: './pack.js' } }));
    // A dashboard that names a metric its catalog does not define: the builder rejects it.
    writeFileSync(
      join(broken, 'pack.js'),
      `export default Object.defineProperty({
        name: 'broken', core: '>=0.1.0', catalog: [],
        dashboards: [{ title: 'Broken', variableMetric: 'nope.metric', rows: [] }],
        setup() { return { dispose() {} }; },
      }, Symbol.for('otelkit.pack'), { value: true });\n`,
    );
    const run = await otelkit(['export'], mixed);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('otelkit: pack broken-pack: dashboard references nope.metric, which no catalog defines');
    expect(run.stdout).toContain('wrote otelkit-artifacts/grafana/dashboards/commands.json');
    expect(existsSync(join(mixed, 'otelkit-artifacts/grafana/dashboards/broken.json'))).toBe(false);
  });

  it('rejects bad arguments with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['export', '--only', 'panels'], /--only must be "dashboards" or "rules", got "panels"/],
      [['export', '--namespace', 'Shop-1'], /--namespace must be lower-case dot-separated words/],
      [['export', '--out', ''], /--out needs a directory/],
      [['export', 'dashboards'], /export takes no positional arguments/],
      [['export', '--out'], /--out/],
      [['catalog', '--force'], /--force only applies to otelkit export/],
    ];
    for (const [args, message] of cases) {
      const run = await otelkit(args, app);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('is described in --help', async () => {
    const run = await otelkit(['--help'], app);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('export [--out <dir>] [--namespace <ns>] [--only dashboards|rules] [--slo <name=percent,…>] [--force]');
  });

  it('sets SLO objectives with --slo, by pack or SLO name, and refuses bad or unknown ones', async () => {
    const slo = makeApp({ '@otelkit/commands': '*', '@otelkit/http': '*' });
    apps.push(slo);
    linkWorkspacePack(slo, 'commands');
    linkWorkspacePack(slo, 'http');
    const run = await otelkit(['export', '--only', 'rules', '--slo', 'commands=99.5,http-availability=99.95'], slo);
    expect(run.code).toBe(0);
    const text = readFileSync(join(slo, 'otelkit-artifacts/prometheus/rules/slo.rules.yml'), 'utf8');
    const fast = (name: string): string =>
      (parse(text) as { groups: { name: string; rules: { alert?: string; expr: string }[] }[] }).groups
        .find((g) => g.name === `otelkit-slo-${name}`)
        ?.rules.find((r) => r.alert === 'OtelkitErrorBudgetBurnFast')?.expr ?? '';
    expect(fast('commands-availability')).toContain('> 14.4 * 0.005');
    expect(fast('http-availability')).toContain('> 14.4 * 0.0005');
    expect(text).toContain('with objectives commands=99.5,http-availability=99.95');

    const unknown = await otelkit(['export', '--only', 'rules', '--slo', 'payments=99', '--force'], slo);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--slo payments: no installed pack or SLO of that name (SLOs: commands, commands-availability, commands-latency, http, http-availability, http-latency)');
    for (const bad of ['commands=100', 'commands=0', 'commands', '=99', 'Commands=99', '']) {
      const r = await otelkit(['export', '--slo', bad], slo);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--slo (takes name=percent pairs|needs at least one)/);
    }
    // The SLO dashboard shows each SLO's objective and computes the budget from it: --slo applies there too.
    const board = await otelkit(['export', '--out', 'd', '--only', 'dashboards', '--slo', 'commands-latency=99.5'], slo);
    expect(board.code).toBe(0);
    const boardText = readFileSync(join(slo, 'd/grafana/dashboards/slo.json'), 'utf8');
    expect(boardText).toContain('SLI over 30d (objective 99.5%)');
    expect(boardText).toContain('otelkit:slo_error_ratio:rate1h{slo=\\"commands-latency\\", job=~\\"$job\\"} / 0.005');
    const elsewhere = await otelkit(['doctor', '--slo', 'commands=99'], slo);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('--slo only applies to otelkit export');
  });
});
