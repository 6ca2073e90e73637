import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNoopMeter, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config/resolve.js';
import type { Logger } from './logger.js';
import { discoverPacks, loadPacks } from './pack-loader.js';
import { definePack, type PackContext } from './pack.js';
import type { OtelkitOptions } from './types.js';

const app = mkdtempSync(join(tmpdir(), 'otelkit-packs-'));
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'a-pack': '1', 'not-a-pack': '1' }, devDependencies: { 'dev-pack': '1' } }));
for (const [name, pack] of [['a-pack', './index.js'], ['dev-pack', './p.js'], ['not-a-pack', undefined]] as const) {
  mkdirSync(join(app, 'node_modules', name), { recursive: true });
  writeFileSync(join(app, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '2.0.0', ...(pack ? { otelkit: { pack } } : {}) }));
}

const scopes: string[] = [];
const meterProvider: MeterProvider = {
  getMeter: (name) => {
    scopes.push(name);
    return createNoopMeter();
  },
};
const tracerProvider: TracerProvider = new SdkTracerProvider();

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): void => {
    lines.push(m);
  };
  return { lines, error: push, warn: push, info: push, debug: () => {} };
}

function load(options: OtelkitOptions, env: Record<string, string> = {}): ReturnType<typeof loadPacks> & { lines: string[] } {
  const log = logger();
  const config = resolveConfig(options, { env, cwd: app, entry: undefined });
  return { ...loadPacks({ config, meterProvider, tracerProvider, logger: log }), lines: log.lines };
}

describe('discoverPacks', () => {
  it('lists dependencies and devDependencies whose package.json has otelkit.pack, without importing them', () => {
    expect(discoverPacks(join(app, 'package.json'))).toEqual([
      { packageName: 'a-pack', version: '2.0.0', entry: join(app, 'node_modules', 'a-pack', 'index.js') },
      { packageName: 'dev-pack', version: '2.0.0', entry: join(app, 'node_modules', 'dev-pack', 'p.js') },
    ]);
  });
});

describe('packs that cannot load', () => {
  it('an entry that throws on import or exports no definePack() is skipped with OTELKIT_E_PACK_LOAD', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'otelkit-broken-'));
    writeFileSync(join(broken, 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'throws-pack': '1', 'plain-pack': '1' } }));
    for (const [name, source] of [
      ['throws-pack', "throw new Error('import exploded');\n"],
      ['plain-pack', 'export default { name: "plain" };\n'],
    ] as const) {
      mkdirSync(join(broken, 'node_modules', name), { recursive: true });
      writeFileSync(join(broken, 'node_modules', name, 'package.json'), JSON.stringify({ name, type: 'module', otelkit: { pack: './pack.js' } }));
      writeFileSync(join(broken, 'node_modules', name, 'pack.js'), source);
    }
    const log = logger();
    const config = resolveConfig({}, { env: {}, cwd: broken, entry: undefined });
    const result = loadPacks({ config, meterProvider, tracerProvider, logger: log });
    await result.ready;
    expect(result.loaded).toEqual([]);
    expect(result.skipped.map((s) => [s.name, s.code])).toEqual([
      ['plain-pack', 'OTELKIT_E_PACK_LOAD'],
      ['throws-pack', 'OTELKIT_E_PACK_LOAD'],
    ]);
    expect(log.lines).toContainEqual(expect.stringMatching(/^otelkit: pack throws-pack could not be imported: import exploded; the pack is skipped \[OTELKIT_E_PACK_LOAD\]$/));
  });
});

describe('start({ packs }) with definitions', () => {
  it('hands each pack a scoped meter, the namespace, its options and a prefixed logger', async () => {
    let seen: PackContext | undefined;
    const pack = definePack({
      name: 'orders',
      core: '^0.1.0',
      catalog: [],
      setup(ctx) {
        seen = ctx;
        ctx.logger.warn('hello');
      },
    });
    const result = load({ packs: [pack], packOptions: { orders: { key: 'v' } }, metrics: { namespace: 'shop' } });
    await result.ready;
    expect(result.loaded).toEqual(['orders']);
    expect(seen?.namespace).toBe('shop');
    expect(seen?.options).toEqual({ key: 'v' });
    expect(scopes).toContain('@otelkit/orders');
    expect(result.lines).toContain('otelkit: [orders] hello');
  });

  it('isolates an async setup that rejects and keeps the others', async () => {
    const bad = definePack({ name: 'bad', core: '*', catalog: [], setup: () => Promise.reject(new Error('db down')) });
    const good = definePack({ name: 'good', core: '*', catalog: [], setup: () => ({ dispose() {} }) });
    const result = load({ packs: [bad, good] });
    await result.ready;
    expect(result.loaded).toEqual(['good']);
    expect(result.skipped).toEqual([{ name: 'bad', code: 'OTELKIT_E_PACK_SETUP', reason: expect.stringContaining('failed in setup: db down') }]);
    await expect(result.dispose()).resolves.toBeUndefined();
  });

  it('refuses a pack whose core range excludes this version, with OTELKIT_E_PACK_VERSION', async () => {
    const result = load({ packs: [definePack({ name: 'future', core: '>=1.0.0', catalog: [], setup() {} })] });
    await result.ready;
    expect(result.loaded).toEqual([]);
    expect(result.lines).toEqual([expect.stringMatching(/^otelkit: pack future supports @otelkit\/node >=1\.0\.0 but this is 0\.1\.0.*\[OTELKIT_E_PACK_VERSION\]$/)]);
  });

  it('reports a named package that is not installed as a pack', async () => {
    const result = load({ packs: ['not-a-pack', 'missing'] });
    await result.ready;
    expect(result.skipped.map((s) => [s.name, s.code])).toEqual([
      ['not-a-pack', 'OTELKIT_E_PACK_UNKNOWN'],
      ['missing', 'OTELKIT_E_PACK_UNKNOWN'],
    ]);
  });

  it('overrides OTELKIT_PACKS=none', async () => {
    const result = load({ packs: [definePack({ name: 'x', core: '*', catalog: [], setup() {} })] }, { OTELKIT_PACKS: 'none' });
    await result.ready;
    expect(result.loaded).toEqual(['x']);
  });
});

describe('declared patches', () => {
  it("tells the loader hook each enabled pack's patches before that pack's setup runs", () => {
    const events: string[] = [];
    const pack = (name: string, patches?: readonly string[]): ReturnType<typeof definePack> =>
      definePack({ name, core: '^0.1.0', catalog: [], ...(patches ? { patches } : {}), setup: () => void events.push(`setup ${name}`) });
    const config = resolveConfig({ packs: [pack('breakers', ['opossum']), pack('plain'), pack('bus', ['@nestjs/cqrs'])] }, { env: {}, cwd: app, entry: undefined });
    loadPacks({ config, meterProvider, tracerProvider, logger: logger(), declarePatches: (modules) => void events.push(`patches ${modules.join(',')}`) });
    expect(events).toEqual(['patches opossum', 'setup breakers', 'setup plain', 'patches @nestjs/cqrs', 'setup bus']);
  });

  it('refuses a patches value that is not a list of module names', () => {
    for (const patches of ['opossum', [''], [42]] as unknown as readonly string[][]) {
      expect(() => definePack({ name: 'bad', core: '^0.1.0', catalog: [], patches, setup: () => {} })).toThrow(/^otelkit: pack bad: patches must be a list of module names/);
    }
  });
});
