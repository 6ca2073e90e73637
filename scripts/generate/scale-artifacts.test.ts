// The generated files of the scale-out tier are current, and carry the collector configs unchanged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../stack/backends.mjs';
import { KUBERNETES_CONFIG, KUBERNETES_CONFIG_MAPS, scaleArtifacts } from './scale-artifacts.mjs';

describe('scaleArtifacts', () => {
  const generated = scaleArtifacts(repoRoot);

  it.each([...generated.keys()])('%s is current (pnpm generate writes it)', (rel) => {
    expect(readFileSync(join(repoRoot, rel), 'utf8')).toBe(generated.get(rel));
  });

  it('embeds each collector config byte for byte, one ConfigMap key per file', () => {
    const maps = parseAllDocuments(generated.get(KUBERNETES_CONFIG) ?? '').map((d) => d.toJS() as { metadata: { name: string }; data: Record<string, string> });
    expect(maps.map((m) => m.metadata.name)).toEqual(Object.keys(KUBERNETES_CONFIG_MAPS));
    for (const [name, files] of Object.entries(KUBERNETES_CONFIG_MAPS)) {
      const data = maps.find((m) => m.metadata.name === name)?.data ?? {};
      expect(Object.keys(data)).toEqual(files.map((f) => f.split('/').at(-1)));
      for (const file of files) expect(data[file.split('/').at(-1) ?? ''], file).toBe(readFileSync(join(repoRoot, file), 'utf8'));
    }
  });
});
