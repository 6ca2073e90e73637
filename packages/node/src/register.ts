// `node --import @otelkit/node/register app.js` (or `--require` for CommonJS). Main thread only, idempotent:
// starts otelkit, registers the ESM loader hook (before the first pack, so pack instrumentations can patch the
// modules the app imports), and owns the process signal handling (nothing else in otelkit touches signals).
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { describeError } from './errors.js';
import { startWith, type StartedOtelkit } from './start.js';

const REGISTERED: unique symbol = Symbol.for('otelkit.register');
type GlobalWithRegister = typeof globalThis & { [REGISTERED]?: StartedOtelkit };

// The CommonJS build has no import.meta; the ESM build has no __filename.
const selfUrl: string = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;

// Wrapping a module costs a parse of its exports, and the loader would otherwise wrap every module, roughly
// doubling the load time of otelkit's own exporters. Instrumentations patch libraries in node_modules and
// builtins, so the app's own files and the telemetry stack itself are left alone.
const HOOK_EXCLUDE: readonly RegExp[] = [
  /^file:(?!.*\/node_modules\/)/,
  /\/node_modules\/(?:@opentelemetry|@grpc|@otelkit|@protobufjs|protobufjs|import-in-the-middle|require-in-the-middle|yaml|semver|long)\//,
];

function registerEsmHook(): void {
  const load = createRequire(selfUrl);
  try {
    // In-thread hooks (module.registerHooks) where Node's implementation is complete; no loader thread, no IPC.
    const hooks = load('import-in-the-middle/register-hooks.mjs') as {
      supportsSyncHooks(): boolean;
      register(options?: object): void;
    };
    if (hooks.supportsSyncHooks()) {
      hooks.register({ exclude: [...HOOK_EXCLUDE] });
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

function installSignalHandlers(handle: StartedOtelkit): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    // When the app listens too, the app decides when to exit; otelkit only flushes alongside.
    const othersListen = process.listeners(signal).some((l) => l !== onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    void handle.shutdown().finally(() => {
      // Re-raise so the process ends exactly as it would have without otelkit (exit status, parent sees signal).
      if (!othersListen) process.kill(process.pid, signal);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // beforeExit fires when the loop is empty; the flush adds work, after which it fires again and we stay out.
  let flushedBeforeExit = false;
  process.on('beforeExit', () => {
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    void handle.shutdown();
  });
}

function register(): StartedOtelkit | undefined {
  if (!isMainThread) return undefined;
  const g = globalThis as GlobalWithRegister;
  if (g[REGISTERED] !== undefined) return g[REGISTERED];
  let handle: StartedOtelkit;
  try {
    // The loader hook only serves instrumentations, which come with packs: an app without packs skips its cost.
    handle = startWith({}, { beforeFirstPack: registerEsmHook });
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
