// A real PostgreSQL server for tests, on a random loopback port with trust auth, torn down by stop().
// Binaries: $OTELKIT_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's `postgresql` package),
// else `initdb` on PATH; when none is found and we run as root with apt-get, the Debian package is installed once.
// The initialised data directory is cached as a template under ~/.cache/otelkit/, so later runs only copy it.
// If PostgreSQL cannot start, startPostgres rejects with a plain message: never a fake database.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreePort, spawnServer } from './server-process.ts';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  readonly url: string;
  readonly port: number;
  /** Creates a fresh database and returns its URL, so tests do not share state. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export class PostgresUnavailableError extends Error {
  override readonly name = 'PostgresUnavailableError';
}

function run(cmd: string, args: readonly string[], asUser?: string): { ok: boolean; output: string } {
  const [file, argv] = asUser === undefined ? [cmd, args] : ['runuser', ['-u', asUser, '--', cmd, ...args]];
  const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function debianBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

function findBinDir(): string {
  const fromEnv = process.env['OTELKIT_PG_BIN'];
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const debian = debianBinDir();
  if (debian !== undefined) return debian;
  const which = run('sh', ['-c', 'command -v initdb']);
  if (which.ok && which.output.trim() !== '') return join(which.output.trim(), '..');
  if (process.getuid?.() === 0 && run('sh', ['-c', 'command -v apt-get']).ok) {
    // postinst may try to start a cluster service; that is harmless and not what we use.
    const install = run('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql']);
    const installed = debianBinDir();
    if (installed !== undefined) return installed;
    throw new PostgresUnavailableError(`PostgreSQL is not installed and apt-get install postgresql failed:\n${install.output.slice(-2000)}`);
  }
  throw new PostgresUnavailableError('PostgreSQL is not installed: install Debian package `postgresql` (or set OTELKIT_PG_BIN to a directory with initdb and postgres)');
}

// PostgreSQL refuses to run as root: as root, run it as the `postgres` system user the Debian package creates.
function serverUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (run('id', ['-u', 'postgres']).ok) return 'postgres';
  throw new PostgresUnavailableError('running as root and there is no `postgres` user to run PostgreSQL as');
}

function chownTree(path: string, user: string | undefined): void {
  if (user === undefined) return;
  const r = run('chown', ['-R', `${user}:`, path]);
  if (!r.ok) throw new PostgresUnavailableError(`cannot chown ${path} to ${user}: ${r.output}`);
}

function templateDir(bin: string, user: string | undefined): string {
  const version = /(\d+(?:\.\d+)?)/.exec(run(join(bin, 'postgres'), ['--version']).output)?.[1] ?? 'unknown';
  const cache = join(process.env['OTELKIT_CACHE_DIR'] ?? join(homedir(), '.cache', 'otelkit'), `postgres-template-${version}`);
  if (existsSync(join(cache, 'PG_VERSION'))) return cache;
  mkdirSync(join(cache, '..'), { recursive: true });
  // initdb runs in a temp dir the server user can reach (a root home is private), then the result is copied next
  // to the cache entry and renamed into place, so a crashed run never leaves a half-made template.
  const work = mkdtempSync(join(tmpdir(), 'otelkit-pg-init-'));
  try {
    chownTree(work, user);
    const data = join(work, 'data');
    const init = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'], user);
    if (!init.ok) throw new PostgresUnavailableError(`initdb failed:\n${init.output.slice(-2000)}`);
    const staging = `${cache}.tmp-${process.pid}`;
    cpSync(data, staging, { recursive: true });
    try {
      renameSync(staging, cache);
    } catch (error) {
      // Another test process made the template first: use theirs.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(cache, 'PG_VERSION'))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return cache;
}

async function waitReady(bin: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new PostgresUnavailableError(`postgres exited with code ${child.exitCode}:\n${log().slice(-2000)}`);
    if (run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres']).ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PostgresUnavailableError(`postgres did not accept connections on 127.0.0.1:${port} within 30 s:\n${log().slice(-2000)}`);
}

/** Starts a throwaway PostgreSQL on 127.0.0.1 and resolves once it accepts connections. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBinDir();
  const user = serverUser();
  const template = templateDir(bin, user);
  // The free port is only free when we looked: another process on this shared machine may take it first.
  return onFreePort(
    (port) => startOn(bin, user, template, port),
    (error) => error instanceof PostgresUnavailableError && /could not bind|Address already in use/i.test(error.message),
  );
}

async function startOn(bin: string, user: string | undefined, template: string, port: number): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-pg-'));
  const data = join(dir, 'data');
  cpSync(template, data, { recursive: true });
  chownTree(dir, user);
  // postgres wants its data directory private to its owner.
  const chmod = run('chmod', ['700', data]);
  if (!chmod.ok) throw new PostgresUnavailableError(`chmod 700 ${data}: ${chmod.output}`);
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  // Spawned directly with the server user's ids (not through runuser) so that signals reach postgres itself.
  const ids = user === undefined ? {} : { uid: Number(run('id', ['-u', user]).output.trim()), gid: Number(run('id', ['-g', user]).output.trim()) };
  // Smart shutdown first: clients that are closing finish cleanly instead of seeing "terminating connection"
  // errors; then fast shutdown, then kill, so stop() is always bounded.
  const { child, output, stop } = spawnServer(join(bin, 'postgres'), args, { ...ids, dir, escalate: [['SIGINT', 5_000], ['SIGKILL', 15_000]] });
  try {
    await waitReady(bin, port, child, output);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`database name ${name} must be a lower-case identifier`);
      const r = run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      if (!r.ok) throw new PostgresUnavailableError(`createdb ${name} failed: ${r.output}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

