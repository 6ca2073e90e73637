// The generated alert rules load in Prometheus (`promtool check rules`) and behave as their unit tests say
// (`promtool test rules`); every alert has a case where it fires and a case where it must not.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePrometheus } from '../stack/backends.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const rulesDir = join(root, 'collector/prometheus/rules');
const testsDir = join(rulesDir, 'tests');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.rules.yml')).sort();

interface RuleFile { groups: { name: string; rules: { alert?: string }[] }[] }
interface AlertCase { alertname: string; exp_alerts?: unknown[] }
interface TestFile { rule_files: string[]; tests: { alert_rule_test?: AlertCase[] }[] }

let promtool: string;
beforeAll(async () => {
  ({ promtool } = await ensurePrometheus());
}, 600_000);

function run(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(promtool, args, { cwd: testsDir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.each(ruleFiles)('%s', (file) => {
  const pack = file.replace(/\.rules\.yml$/, '');
  const testFile = `${pack}.test.yml`;

  it('passes promtool check rules', () => {
    const r = run(['check', 'rules', join(rulesDir, file)]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it('has a unit test with a firing and a non-firing case for every alert', () => {
    const rules = parse(readFileSync(join(rulesDir, file), 'utf8')) as RuleFile;
    const tests = parse(readFileSync(join(testsDir, testFile), 'utf8')) as TestFile;
    expect(tests.rule_files).toEqual([`../${file}`]);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => a !== undefined);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${alert} fires somewhere`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${alert} stays quiet somewhere`).toBe(true);
    }
  });

  it('passes promtool test rules', () => {
    const r = run(['test', 'rules', testFile]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.status).toBe(0);
  });
});
