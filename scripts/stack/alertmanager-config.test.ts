// collector/alertmanager/alertmanager.yml routes by severity, lets a critical mute the same job's warnings, and
// delivers to a webhook the native runner can point anywhere; amtool checks the shipped file, the runner's copy and
// the receiver examples in its comments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensureAlertmanager, repoRoot } from './backends.mjs';
import { nativeAlertmanagerConfig } from './runner.mjs';

const shipped = join(repoRoot, 'collector', 'alertmanager', 'alertmanager.yml');
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-amconfig-'));
let amtool: string;

beforeAll(async () => {
  ({ amtool } = await ensureAlertmanager());
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(amtool, args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function receiverFor(file: string, labels: string[]): string {
  const r = run(['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
  expect(r.status, r.output).toBe(0);
  return r.output.replace(/^Warning:.*$/gm, '').trim();
}

interface Config {
  route: { receiver: string };
  receivers: { name: string; webhook_configs?: { url: string; send_resolved?: boolean }[] }[];
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
}

describe('collector/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const r = run(['check-config', shipped]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('routes critical and warning alerts to their receivers, anything else to one that sends nothing', () => {
    expect(receiverFor(shipped, ['severity=critical', 'alertname=OtelkitInstanceDown', 'job=app'])).toBe('critical');
    expect(receiverFor(shipped, ['severity=warning', 'alertname=OtelkitCpuSaturated', 'job=demo/bank'])).toBe('warning');
    expect(receiverFor(shipped, ['severity=info', 'job=demo/bank'])).toBe('default');
    const cfg = parse(readFileSync(shipped, 'utf8')) as Config;
    expect(cfg.receivers.find((r) => r.name === 'default')).toEqual({ name: 'default' });
    for (const name of ['critical', 'warning']) {
      expect(cfg.receivers.find((r) => r.name === name)?.webhook_configs).toEqual([{ url: 'http://host.docker.internal:9095/alerts', send_resolved: true }]);
    }
  });

  it('mutes warnings while a critical fires for the same job', () => {
    const cfg = parse(readFileSync(shipped, 'utf8')) as Config;
    expect(cfg.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['job'] }]);
  });

  it('documents Slack, email and PagerDuty receivers that amtool accepts', () => {
    const text = readFileSync(shipped, 'utf8');
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('#   - name: critical'));
    const end = lines.findIndex((l, i) => i > start && l.startsWith('# `amtool'));
    expect(start).toBeGreaterThan(0);
    const examples = lines.slice(start, end).map((l) => l.slice(2)).join('\n');
    for (const kind of ['pagerduty_configs', 'slack_configs', 'email_configs']) expect(examples).toContain(kind);
    const file = join(scratch, 'examples.yml');
    writeFileSync(file, `${text.slice(0, text.indexOf('receivers:\n'))}receivers:\n  - name: default\n${examples}\n`);
    const r = run(['check-config', file]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('nativeAlertmanagerConfig', () => {
  it('points every webhook at the given URL and keeps routes and inhibitions', () => {
    const cfg = nativeAlertmanagerConfig({ webhookUrl: 'http://127.0.0.1:40123/hook' }) as unknown as Config;
    const original = parse(readFileSync(shipped, 'utf8')) as Config;
    const hooks = cfg.receivers.flatMap((r) => r.webhook_configs ?? []);
    expect(hooks.length).toBe(2);
    for (const hook of hooks) expect(hook.url).toBe('http://127.0.0.1:40123/hook');
    expect(cfg.route).toEqual(original.route);
    expect(cfg.inhibit_rules).toEqual(original.inhibit_rules);
    const file = join(scratch, 'native.yml');
    writeFileSync(file, stringify(cfg));
    expect(run(['check-config', file]).status).toBe(0);
    expect(receiverFor(file, ['severity=critical', 'job=app'])).toBe('critical');
  });
});
