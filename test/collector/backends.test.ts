import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/stack/backends.mjs';

const emptyCache = mkdtempSync(join(tmpdir(), 'otelkit-cache-'));
afterAll(() => rmSync(emptyCache, { recursive: true, force: true }));

describe('scripts/stack.mjs on a machine that cannot build a backend', () => {
  it('names the missing backend and the reason instead of starting anything', () => {
    // Only node on PATH: no go, no apt-get. The empty cache forces a build.
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'stack.mjs'), 'build'], {
      encoding: 'utf8',
      env: { PATH: dirname(process.execPath), HOME: emptyCache, OTELKIT_CACHE_DIR: emptyCache },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('otelkit stack: the OpenTelemetry Collector is not available: the Go toolchain (`go`) is not on PATH');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown command with its usage', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'stack.mjs'), 'sideways'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node scripts\/stack\.mjs up/);
  });
});
