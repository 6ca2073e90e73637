// Spawns a fixture app the way users run it: `node --import @otelkit/node/register app` (or --require).
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningApp {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Lines of stderr starting with `otelkit:`. */
  otelkitLines(): string[];
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout or stderr matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags before the script, e.g. ['--require', '@otelkit/node/register']. */
  readonly nodeArgs?: readonly string[];
  readonly args?: readonly string[];
}

// Env that would leak from the developer's shell into the app and change otelkit's behaviour.
function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('OTEL_') || k.startsWith('OTELKIT_') || k === 'NODE_OPTIONS') continue;
    out[k] = v;
  }
  return out;
}

export function spawnApp(script: string, options: SpawnOptions): RunningApp {
  const nodeArgs = options.nodeArgs ?? ['--import', '@otelkit/node/register'];
  const child = spawn(process.execPath, [...nodeArgs, script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of waiters) w();
  };
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    notify();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      notify();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    otelkitLines: () => err.split('\n').filter((l) => l.startsWith('otelkit:')),
    exited,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = (out + '\n' + err).match(pattern);
          if (m) {
            waiters.delete(tryIt);
            clearTimeout(timer);
            resolve(m);
            return true;
          }
          return false;
        };
        const tryIt = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(tryIt);
          reject(new Error(`timed out waiting for ${pattern}; stdout=${out.slice(-2000)} stderr=${err.slice(-2000)}`));
        }, timeoutMs);
        if (!check()) waiters.add(tryIt);
      });
    },
    kill(signal = 'SIGTERM') {
      child.kill(signal);
    },
  };
}
