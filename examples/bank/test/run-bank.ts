// Starts the bank as a real process under `--import @otelkit/node/register` and drives its load script. Shared by
// the process test, the end-to-end test and scripts/demo.mjs, so all three run the bank the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../test/support/free-port.ts';

export { freePort };

export const bankDir: string = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface BankProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Base URL of the HTTP API. */
  readonly url: string;
  /** The otelkit pull endpoint. */
  readonly metricsUrl: string;
  readonly metricsPort: number;
  stdout(): string;
  stderr(): string;
  /** Resident set size of the bank process in bytes (Linux /proc), or undefined once it has exited. */
  rss(): number | undefined;
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM, then wait for exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash would end it: no shutdown, no last export. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * What the e2e tests run the bank with besides their endpoints: metrics exported every second, and a few failures of
 * the fake fraud check and notifier so error series and breakers have data.
 */
export const E2E_BANK_ENV: Readonly<Record<string, string>> = Object.freeze({
  OTEL_METRIC_EXPORT_INTERVAL: '1000',
  FRAUD_FAILURE_SHARE: '0.02',
  NOTIFY_FAILURE_SHARE: '0.05',
  BREAKER_RESET_MS: '5000',
});

export interface StartBankOptions {
  /** Extra environment, on top of the parent's. */
  env?: Record<string, string | undefined>;
  /** Port for the pull endpoint; a free one when omitted. */
  metricsPort?: number;
  /** Port for the API; any free port when omitted. */
  port?: number;
  /** Run without the otelkit bootstrap (plain `node src/main.ts`). */
  bare?: boolean;
  startTimeoutMs?: number;
}

export async function startBank(options: StartBankOptions = {}): Promise<BankProcess> {
  const metricsPort = options.metricsPort ?? (await freePort());
  const args = options.bare === true ? ['src/main.ts'] : ['--import', '@otelkit/node/register', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: bankDir,
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bank did not start within ${options.startTimeoutMs ?? 30_000} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, options.startTimeoutMs ?? 30_000);
    const check = (): void => {
      const match = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`bank exited during start (${JSON.stringify(e)})\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });

  return {
    child,
    pid: child.pid ?? 0,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    metricsPort,
    stdout: () => out,
    stderr: () => err,
    rss: () => {
      try {
        const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8'));
        return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
      } catch {
        return undefined;
      }
    },
    exited: () => exit,
    stop: async (timeoutMs = 15_000) => {
      if (exit !== undefined) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    kill: async () => {
      if (exit !== undefined) return exit;
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** What `src/load.ts` prints on its last line. */
export interface LoadReport {
  url: string;
  sent: number;
  byType: Record<string, number>;
  expected: Record<string, number>;
  expectedByType: Record<string, Record<string, number>>;
  observedByType: Record<string, Record<string, number>>;
  mismatches: number;
  /** Up to five unexpected outcomes as the load describes them (its stderr), to say which ones in a failure. */
  unexpected: string[];
  skippedTicks: number;
  accounts: string[];
  seconds: number;
}

export interface LoadOptions {
  rate?: number;
  duration?: number;
  errorShare?: number;
  accounts?: number;
  types?: string;
  /** Echo the load's progress lines to this process's stderr. */
  verbose?: boolean;
}

export function runLoad(url: string, options: LoadOptions = {}): Promise<LoadReport> {
  const args = ['src/load.ts', '--url', url, '--rate', String(options.rate ?? 20), '--duration', String(options.duration ?? 5),
    '--error-share', String(options.errorShare ?? 0.1), '--accounts', String(options.accounts ?? 4)];
  if (options.types !== undefined) args.push('--types', options.types);
  if (options.verbose !== true) args.push('--quiet');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: bankDir, stdio: ['ignore', 'pipe', options.verbose === true ? 'inherit' : 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trimEnd().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`load exited with ${code}\n${out}\n${err}`));
      try {
        const unexpected = err.split('\n').filter((l) => l.startsWith('load: unexpected outcome: ')).map((l) => l.slice('load: unexpected outcome: '.length));
        resolve({ ...(JSON.parse(last) as Omit<LoadReport, 'unexpected'>), unexpected });
      } catch {
        reject(new Error(`load printed no JSON report:\n${out}\n${err}`));
      }
    });
  });
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (enough for tests: no exemplars, no escaped quotes inside label values). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = (pair[2] ?? '').replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `where`. */
export function sumOf(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}
