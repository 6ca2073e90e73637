// A throwaway server process for tests (PostgreSQL, Redis): its output kept for error messages, and a stop() that
// is always bounded — SIGTERM, then each later signal after its delay — and then removes the server's directory.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freePort } from './free-port.ts';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

export function spawnServer(command: string, args: readonly string[], options: SpawnOptions & { readonly dir: string; readonly escalate: readonly (readonly [NodeJS.Signals, number])[] }): ServerProcess {
  const { dir, escalate, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timers = escalate.map(([signal, ms]) => setTimeout(() => child.kill(signal), ms));
        await exited;
        for (const t of timers) clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts a server on a free port, again (three tries) when `taken(error)` says another process took the port first. */
export async function onFreePort<T>(start: (port: number) => Promise<T>, taken: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= 3 || !taken(error)) throw error;
    }
  }
}
