import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The fields of a package.json otelkit reads. */
export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly otelkit?: { readonly pack?: string };
}

/** Nearest package.json at or above `dir`, or undefined. */
export function findPackageJson(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, 'package.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The app's package.json: the nearest one above the entry script (so `node /srv/app/main.js` from anywhere works),
 * else above the working directory.
 */
export function findAppPackageJson(entry: string | undefined, cwd: string): string | undefined {
  if (entry !== undefined && entry !== '' && !entry.startsWith('-')) {
    const found = findPackageJson(dirname(resolve(cwd, entry)));
    if (found !== undefined) return found;
  }
  return findPackageJson(cwd);
}

/** Parsed package.json, or undefined when unreadable. */
export function readPackageJson(path: string): PackageJson | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}
