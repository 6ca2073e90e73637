import { describe, expect, it } from 'vitest';
import { createHookScope, packageOf, recordHookedNames } from './esm-hook-scope.js';

describe('packageOf', () => {
  it.each([
    ['opossum', 'opossum'],
    ['@nestjs/cqrs', '@nestjs/cqrs'],
    ['@nestjs/cqrs/dist/command-bus.js', '@nestjs/cqrs'],
    ['lodash-es/map.js', 'lodash-es'],
    ['node:http', 'http'],
    ['file:///app/node_modules/opossum/index.js', 'opossum'],
    ['file:///app/node_modules/.pnpm/x@1/node_modules/@scope/pkg/lib/a.mjs', '@scope/pkg'],
    ['file:///app/src/main.js', undefined],
    ['./local.js', undefined],
    ['/abs/path.js', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(packageOf(input)).toBe(expected);
  });
});

describe('createHookScope', () => {
  it('includes only modules of hooked packages, by specifier or by file URL (internals, relative imports)', () => {
    const scope = createHookScope([]);
    scope.add(['opossum', '@nestjs/cqrs', 'http']);
    expect(scope.shouldInclude('file:///app/node_modules/opossum/index.js', 'opossum')).toBe(true);
    expect(scope.shouldInclude('file:///app/node_modules/@nestjs/cqrs/dist/bus.js', './bus.js')).toBe(true);
    expect(scope.shouldInclude('node:http', 'node:http')).toBe(true);
    expect(scope.shouldInclude('node:http', 'http')).toBe(true);
    expect(scope.shouldInclude('file:///app/node_modules/lodash-es/map.js', 'lodash-es/map.js')).toBe(false);
    expect(scope.shouldInclude('file:///app/src/main.js', './main.js')).toBe(false);
    expect(scope.shouldInclude('node:fs', 'fs')).toBe(false);
  });

  it('includes an absolute-path hook by its file, everything after a Hook without a module list, never an excluded URL', () => {
    const scope = createHookScope([/\/node_modules\/@opentelemetry\//]);
    scope.add(['/app/lib/db.js']);
    expect(scope.shouldInclude('file:///app/lib/db.js', './lib/db.js')).toBe(true);
    expect(scope.shouldInclude('file:///app/lib/other.js', './lib/other.js')).toBe(false);
    scope.add(null);
    expect(scope.shouldInclude('file:///app/lib/other.js', './lib/other.js')).toBe(true);
    expect(scope.shouldInclude('file:///app/node_modules/@opentelemetry/api/index.js', '@opentelemetry/api')).toBe(false);
  });
});

describe('recordHookedNames', () => {
  it('records the names of every Hook call shape and still constructs the original Hook', () => {
    const made: unknown[][] = [];
    function Hook(this: unknown, ...args: unknown[]): void {
      made.push(args);
    }
    const iitm: Record<string, unknown> = { Hook };
    const scope = createHookScope([]);
    expect(recordHookedNames(iitm, scope)).toBe(true);
    const Recording = iitm['Hook'] as new (...args: unknown[]) => unknown;
    const fn = (): void => {};
    expect(new Recording(['opossum'], { internals: true }, fn)).toBeInstanceOf(Hook);
    expect((iitm['Hook'] as (...args: unknown[]) => unknown)(['pg'], fn)).toBeInstanceOf(Hook);
    expect(made).toEqual([[['opossum'], { internals: true }, fn], [['pg'], fn, undefined]]);
    expect(scope.shouldInclude('file:///n/node_modules/pg/index.js', 'pg')).toBe(true);
    expect(scope.shouldInclude('file:///n/node_modules/mysql/index.js', 'mysql')).toBe(false);
    new Recording(fn);
    expect(scope.shouldInclude('file:///n/node_modules/mysql/index.js', 'mysql')).toBe(true);
  });

  it('reports an export of another shape, which is then left alone', () => {
    const iitm: Record<string, unknown> = { Hook: 'not a function' };
    expect(recordHookedNames(iitm, createHookScope([]))).toBe(false);
    expect(iitm['Hook']).toBe('not a function');
  });
});
