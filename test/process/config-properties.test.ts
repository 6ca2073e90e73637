// The configuration properties of packages/node/src/config/resolve.property.test.ts, seen from outside: an app
// started with a bad value in every variable otelkit reads (drawn from the same generators, fixed seed) prints
// exactly one otelkit: line per variable and nothing else, and runs; with OTELKIT_STRICT=true it exits with code 1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envValueSpaces } from '../../packages/node/src/config/__fixtures__/env-values.ts';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { spawnApp } from '../support/spawn.ts';

const SEED = 20_261_202;
const scratch = mkdtempSync(join(tmpdir(), 'otelkit-config-props-'));
const files = { emptyConfigFile: join(scratch, 'empty.yaml'), notPem: join(scratch, 'not-pem.txt'), missingDir: join(scratch, 'missing') };
writeFileSync(files.emptyConfigFile, 'file_format: "1.0"\n');
writeFileSync(files.notPem, 'not a certificate\n');

// One bad value for every variable that can have one.
const spaces = Object.entries(envValueSpaces(files)).flatMap(([name, s]) => (s.bad === undefined ? [] : [[name, s.bad] as const]));
const bad: Record<string, string> = fc.sample(fc.record(Object.fromEntries(spaces)), { seed: SEED, numRuns: 1 })[0] as Record<string, string>;

let app: FixtureApp;
beforeAll(() => {
  app = createFixtureApp({ app: 'spans', name: 'config-properties-fixture' });
});
afterAll(() => {
  app.remove();
  rmSync(scratch, { recursive: true, force: true });
});

function problemLines(lines: string[], name: string): string[] {
  return lines.filter((l) => l.startsWith(`otelkit: ${name}=`));
}

describe(`a bad value in each of ${spaces.length} variables`, () => {
  it('one line each, naming the variable, no other output; the app runs', async () => {
    const run = spawnApp('app.mjs', { cwd: app.dir, env: { ...bad, FIXTURE_SPANS: '1' } });
    await run.waitForOutput(/fixture: ended 1 spans/);
    await run.waitForOutput(/otelkit: started/);
    run.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.signal, run.stderr()).toBe('SIGTERM');
    const lines = run.otelkitLines();
    for (const [name] of spaces) expect(problemLines(lines, name), `${name}=${JSON.stringify(bad[name])}\n${run.stderr()}`).toHaveLength(1);
    expect(lines.filter((l) => / \[OTELKIT_E_(ENV_VALUE|CONFIG_FILE|TLS)\]$/.test(l))).toHaveLength(spaces.length);
    // Nothing but otelkit's own lines: no SDK warning, no stack, no parser output.
    expect(run.stderr().split('\n').filter((l) => l !== '' && !l.startsWith('otelkit:'))).toEqual([]);
  });

  it('with OTELKIT_STRICT=true: the same lines, then exit code 1 before the app runs', async () => {
    const { OTELKIT_STRICT: _ignored, ...rest } = bad;
    const run = spawnApp('app.mjs', { cwd: app.dir, env: { ...rest, OTELKIT_STRICT: 'true' } });
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(1);
    expect(run.stdout()).not.toContain('fixture: ended');
    const lines = run.otelkitLines();
    const others = spaces.filter(([name]) => name !== 'OTELKIT_STRICT');
    for (const [name] of others) expect(problemLines(lines, name), name).toHaveLength(1);
    expect(lines.at(-1)).toBe(`otelkit: OTELKIT_STRICT=true and ${others.length} configuration value(s) above are invalid; exiting with code 1 [OTELKIT_E_STRICT]`);
  });
});
