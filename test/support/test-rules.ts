// A test-only copy of the shipped rule files for e2e tests: the shipped alerts wait `for: 1m`..`1h` before they
// fire, too long for a test. Each `for` is shortened (and a test may rewrite other rules), the copies are checked with
// `promtool check rules`, and Prometheus loads them instead of the shipped files through a config reload. The
// shipped files themselves are tested unchanged (`promtool test rules`, scripts/generate/prometheus-rules.test.ts).
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { repoRoot } from '../../scripts/stack/backends.mjs';
import type { Stack } from './stack.ts';

/** How long an alert's condition must hold in the test-only rules. */
export const TEST_RULE_FOR = '10s';

export interface TestRule {
  for?: string;
  record?: string;
  alert?: string;
  expr: string;
}

export interface TestRuleOptions {
  /** The test file making the copy, named in each copy's header. */
  readonly madeBy: string;
  /** What else the copy changes, for its header (e.g. shortened SLO windows). */
  readonly also?: string;
  /** Changes a rule in place, after its `for` was shortened. */
  readonly rewrite?: (rule: TestRule) => void;
}

/** Writes the test-only copies into the stack's state directory and reloads Prometheus onto them. */
export async function loadTestRules(stack: Stack, promtool: string, options: TestRuleOptions): Promise<void> {
  const rulesDir = join(repoRoot, 'collector', 'prometheus', 'rules');
  const overrideDir = join(stack.stateDir, 'rules-e2e');
  mkdirSync(overrideDir, { recursive: true });
  const what = `every 'for' shortened to ${TEST_RULE_FOR}${options.also === undefined ? '' : `, ${options.also}`}`;
  for (const file of readdirSync(rulesDir).filter((f) => f.endsWith('.rules.yml'))) {
    const doc = parseYaml(readFileSync(join(rulesDir, file), 'utf8')) as { groups: { rules: TestRule[] }[] };
    for (const group of doc.groups) {
      for (const rule of group.rules) {
        if (rule.for !== undefined && rule.for !== '0m' && rule.for !== '0s') rule.for = TEST_RULE_FOR;
        options.rewrite?.(rule);
      }
    }
    writeFileSync(join(overrideDir, file), `# TEST-ONLY copy of collector/prometheus/rules/${file} made by ${options.madeBy}: ${what}.\n${stringifyYaml(doc)}`);
  }
  await promisify(execFile)(promtool, ['check', 'rules', ...readdirSync(overrideDir).map((f) => join(overrideDir, f))]);
  const configFile = join(stack.stateDir, 'prometheus', 'prometheus.yml');
  const config = parseYaml(readFileSync(configFile, 'utf8')) as { rule_files?: string[] };
  config.rule_files = [join(overrideDir, '*.rules.yml')];
  writeFileSync(configFile, stringifyYaml(config));
  const reload = await fetch(`${stack.urls.prometheus}/-/reload`, { method: 'POST' });
  if (reload.status !== 200) throw new Error(`Prometheus refused the test-only rules: HTTP ${reload.status}: ${await reload.text()}`);
}
