// `node --import @otelkit/node/register app.js` (or `--require` for CommonJS). Main thread only, idempotent:
// starts otelkit, registers the ESM loader hook (before the first pack, so pack instrumentations can patch the
// modules the app imports), and owns the process signal handling (nothing else in otelkit touches signals).
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { describeError } from './errors.js';
import { createHookScope, recordHookedNames } from './esm-hook-scope.js';
import { startWith, type StartedOtelkit } from './start.js';

const REGISTERED: unique symbol = Symbol.for('otelkit.register');
type GlobalWithRegister = typeof globalThis & { [REGISTERED]?: StartedOtelkit };

// The CommonJS build has no import.meta; the ESM build has no __filename.
const selfUrl: string = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;

// Wrapping a module costs a parse of its exports and a generated wrapper. With in-thread hooks only the modules an
// instrumentation named through import-in-the-middle's Hook() are wrapped (esm-hook-scope.ts); the loader-thread
// fallback cannot share that list synchronously and wraps every module but these: the app's own files and the
// telemetry stack itself (instrumentations patch libraries in node_modules and builtins).
const HOOK_EXCLUDE: readonly RegExp[] = [
  /^file:(?!.*\/node_modules\/)/,
  /\/node_modules\/(?:@opentelemetry|@grpc|@otelkit|@protobufjs|protobufjs|import-in-the-middle|require-in-the-middle|yaml|semver|long)\//,
];

// The modules the in-thread hook wraps: named by Hook() calls and by the packs' `patches`.
const hookScope = createHookScope(HOOK_EXCLUDE);

type ResolveHook = NonNullable<Parameters<typeof nodeModule.registerHooks>[0]['resolve']>;
type LoadHook = NonNullable<Parameters<typeof nodeModule.registerHooks>[0]['load']>;

interface InThreadHook {
  resolveSync: ResolveHook;
  loadSync: LoadHook;
  applyOptions(options: object): void;
}

/**
 * The in-thread hook, brought in when the first module in scope resolves. Until then two small functions of ours
 * ask the scope about each resolved module and pass everything on: an app that imports none of the patched
 * modules never loads import-in-the-middle's loader and its lexers (about 6 MiB of peak RSS and 5 ms of startup
 * with every pack installed). The loader is import-in-the-middle's own (`createHook`, as its register-hooks.mjs
 * builds it), so from the first module in scope on it sees every resolution, as if registered at startup.
 */
function registerScopedHooks(load: NodeJS.Require, registerHooks: typeof nodeModule.registerHooks): void {
  let iitm: InThreadHook | undefined;
  const activate = (): InThreadHook => {
    const { createHook } = load('import-in-the-middle/create-hook.mjs') as { createHook(meta: { url: string }): InThreadHook };
    // The URL of the loader-thread entry: createHook derives its own module URLs from it.
    const hook = createHook({ url: pathToFileURL(load.resolve('import-in-the-middle/hook.mjs')).href });
    hook.applyOptions({ shouldInclude: hookScope.shouldInclude });
    return hook;
  };
  const resolve: ResolveHook = (specifier, context, nextResolve) => {
    if (iitm !== undefined) return iitm.resolveSync(specifier, context, nextResolve);
    const resolved = nextResolve(specifier, context);
    // require() resolutions (require.resolve too) are require-in-the-middle's; the loader leaves them alone.
    if (context.conditions?.includes('require') === true || !hookScope.shouldInclude(resolved.url, specifier)) return resolved;
    iitm = activate();
    return iitm.resolveSync(specifier, context, nextResolve);
  };
  const loadHook: LoadHook = (url, context, nextLoad) => (iitm !== undefined ? iitm.loadSync(url, context, nextLoad) : nextLoad(url, context));
  registerHooks({ resolve, load: loadHook });
}

function registerEsmHook(): void {
  const load = createRequire(selfUrl);
  try {
    // In-thread hooks (module.registerHooks) where Node's implementation is complete; no loader thread, no IPC.
    const { supportsSyncHooks } = load('import-in-the-middle/supports-sync-hooks.mjs') as { supportsSyncHooks(): boolean };
    if (supportsSyncHooks() && typeof nodeModule.registerHooks === 'function') {
      if (recordHookedNames(load('import-in-the-middle') as Record<string, unknown>, hookScope)) {
        registerScopedHooks(load, nodeModule.registerHooks);
      } else {
        (load('import-in-the-middle/register-hooks.mjs') as { register(options: object): void }).register({ exclude: [...HOOK_EXCLUDE] });
      }
      return;
    }
  } catch {
    // Fall through to the loader-thread hook below.
  }
  try {
    nodeModule.register('import-in-the-middle/hook.mjs', selfUrl, { data: { exclude: [...HOOK_EXCLUDE] } });
  } catch (error) {
    process.stderr.write(`otelkit: the ESM loader hook could not be registered (${describeError(error)}); ESM modules are not instrumented, CommonJS ones are [OTELKIT_E_INTERNAL]\n`);
  }
}

type Exit = typeof process.exit;

/**
 * While a shutdown otelkit started is flushing, `process.exit()` from the app (typically in its own SIGTERM handler,
 * which runs right after otelkit's) records the exit code and returns; the real exit follows once the flush is done
 * (bounded by OTELKIT_SHUTDOWN_TIMEOUT_MS), with that code. Outside that window process.exit is untouched.
 *
 * Why wrapping process.exit: it is the documented entry point and the only moment the app's intent (exit, with this
 * code) is known before anything is torn down. The alternatives are worse: patching the internal, undocumented
 * `process.reallyExit` runs after the 'exit' listeners, so the app would see 'exit' before its telemetry left; and
 * a synchronous flush in an 'exit' listener would mean serialising the SDK's private span queue and blocking on a
 * worker thread. The cost: during the flush process.exit returns to its caller, so code after it runs.
 */
function holdExitUntil(flushed: Promise<unknown>): void {
  const realExit: Exit = process.exit;
  let requested: { code: Parameters<Exit>[0] } | undefined;
  let done = false;
  const held = function exit(...args: Parameters<Exit>): never {
    // Someone may have wrapped process.exit over this one meanwhile; after the flush this wrapper only forwards.
    if (done) return realExit.apply(process, args);
    if (requested === undefined) {
      // As process.exit does: the exitCode setter validates (a bad code throws here, as it would have), and a loop
      // that empties before the flush ends still exits with the requested code.
      if (args.length !== 0) process.exitCode = args[0];
      requested = { code: process.exitCode };
    }
    return undefined as never;
  } as Exit;
  process.exit = held;
  void flushed.finally(() => {
    done = true;
    if (process.exit === held) process.exit = realExit;
    if (requested !== undefined) realExit.call(process, requested.code);
  });
}

function installSignalHandlers(handle: StartedOtelkit): void {
  // A signal and a later beforeExit share one shutdown, and one hold on process.exit.
  let flushed: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    if (flushed !== undefined) return flushed;
    flushed = handle.shutdown();
    holdExitUntil(flushed);
    return flushed;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    // When the app listens too, the app decides when to exit; otelkit only flushes alongside.
    const othersListen = process.listeners(signal).some((l) => l !== onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    void shutdown().finally(() => {
      // Re-raise so the process ends exactly as it would have without otelkit (exit status, parent sees signal).
      if (!othersListen) process.kill(process.pid, signal);
    });
  };
  // First in line, so process.exit is held before any listener of the app's runs, even one registered earlier.
  process.prependListener('SIGTERM', onSignal);
  process.prependListener('SIGINT', onSignal);
  // beforeExit fires when the loop is empty; the flush adds work, after which it fires again and we stay out.
  let flushedBeforeExit = false;
  process.prependListener('beforeExit', () => {
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    void shutdown();
  });
}

function register(): StartedOtelkit | undefined {
  if (!isMainThread) return undefined;
  const g = globalThis as GlobalWithRegister;
  if (g[REGISTERED] !== undefined) return g[REGISTERED];
  let handle: StartedOtelkit;
  try {
    // The loader hook only serves instrumentations, which come with packs: an app without packs skips its cost.
    handle = startWith({}, { beforeFirstPack: registerEsmHook, declarePatches: (modules) => hookScope.add(modules) });
  } catch (error) {
    process.stderr.write(`otelkit: could not start (${describeError(error)}); the app runs without telemetry\n`);
    return undefined;
  }
  g[REGISTERED] = handle;
  installSignalHandlers(handle);
  return handle;
}

/** The handle of the otelkit started by this entry (undefined in worker threads). */
export const otelkit: StartedOtelkit | undefined = register();
