import { fileURLToPath } from 'node:url';

// Which modules the ESM loader hook wraps. Wrapping a module means parsing it for its exports and loading a
// generated wrapper in its place: on Node 24 an app importing lodash-es (640 ES modules) took about 340 ms to load
// them under the hook against 140 ms without. Only modules an instrumentation asks for through import-in-the-middle's
// `Hook([...names])` need it, so the hook's `shouldInclude` consults the names registered so far, plus the modules
// each pack declares in its `patches` before its setup runs: a pack whose setup is asynchronous creates its
// instrumentation (and its Hook) after the app may already have imported the module, and import-in-the-middle can
// only hand a late Hook the modules it wrapped when they loaded.

/** The npm package a bare specifier or a `node_modules` file URL belongs to, or a builtin's name without `node:`. */
export function packageOf(urlOrSpecifier: string): string | undefined {
  if (urlOrSpecifier.startsWith('node:')) return urlOrSpecifier.slice(5);
  const at = urlOrSpecifier.lastIndexOf('/node_modules/');
  if (at !== -1) return packageName(urlOrSpecifier.slice(at + '/node_modules/'.length));
  if (urlOrSpecifier.startsWith('.') || urlOrSpecifier.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(urlOrSpecifier)) return undefined;
  return packageName(urlOrSpecifier);
}

function packageName(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === undefined || parts[0] === '') return undefined;
  if (parts[0].startsWith('@')) return parts[1] === undefined ? undefined : `${parts[0]}/${parts[1]}`;
  return parts[0];
}

/** The set of hooked module names and the `shouldInclude(url, specifier)` predicate the loader hook calls. */
export interface HookScope {
  /** Records the modules a `Hook(modules, ...)` call asks for; `null` (hook every module) includes everything. */
  add(modules: readonly string[] | null | undefined): void;
  shouldInclude(url: string, specifier: string): boolean;
}

export function createHookScope(exclude: readonly RegExp[]): HookScope {
  const packages = new Set<string>();
  const files = new Set<string>();
  let everything = false;
  return {
    add(modules) {
      if (modules === null || modules === undefined) {
        everything = true;
        return;
      }
      for (const name of modules) {
        if (name.startsWith('/')) files.add(name);
        else {
          const pkg = packageOf(name);
          if (pkg !== undefined) packages.add(pkg);
        }
      }
    },
    shouldInclude(url, specifier) {
      for (const pattern of exclude) if (pattern.test(url)) return false;
      if (everything) return true;
      const byUrl = packageOf(url);
      if (byUrl !== undefined && packages.has(byUrl)) return true;
      const bySpecifier = packageOf(specifier);
      if (bySpecifier !== undefined && packages.has(bySpecifier)) return true;
      if (files.size > 0 && url.startsWith('file:')) {
        try {
          return files.has(fileURLToPath(url));
        } catch {
          return false;
        }
      }
      return false;
    },
  };
}

type HookConstructor = ((modules?: unknown, options?: unknown, hookFn?: unknown) => unknown) & { prototype: object };

/**
 * Makes import-in-the-middle's `Hook` export record the names it is given into `scope`. Must run before any module
 * imports `Hook` as an ES module (the named-export facade of the CommonJS module reads the value then). Returns
 * false when the module does not have the shape this relies on; the caller then keeps wrapping every module.
 */
export function recordHookedNames(iitm: Record<string, unknown>, scope: HookScope): boolean {
  const original = iitm['Hook'];
  if (typeof original !== 'function') return false;
  const OriginalHook = original as HookConstructor;
  const recording = function Hook(modules?: unknown, options?: unknown, hookFn?: unknown): unknown {
    // Hook(fn) and Hook(modules, fn) are the other two call shapes; both name no module list when the first is a fn.
    scope.add(Array.isArray(modules) ? (modules as string[]).filter((m) => typeof m === 'string') : typeof modules === 'function' ? null : (modules as null | undefined));
    return new (OriginalHook as unknown as new (...args: unknown[]) => unknown)(modules, options, hookFn);
  } as HookConstructor;
  recording.prototype = OriginalHook.prototype;
  iitm['Hook'] = recording;
  return true;
}
