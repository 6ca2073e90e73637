// A real Redis server for tests, on a free loopback port, with no persistence, torn down by stop(). The binary is
// Debian's, unpacked into the otelkit cache by scripts/stack/backends.mjs (ensureRedisServer), so a fresh machine
// gets it the way it gets Prometheus. If Redis cannot start, startRedis rejects with a plain message.
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisServer } from '../../scripts/stack/backends.mjs';
import { onFreePort, spawnServer } from './server-process.ts';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** One PING over a fresh connection: true when the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer.startsWith('+PONG')));
  });
}

/** Starts a throwaway redis-server on 127.0.0.1 and resolves once it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const { command, argv0, env } = await ensureRedisServer();
  // The free port is only free when we looked: another process on this shared machine may take it first.
  return onFreePort(
    (port) => startOn(command, argv0, env, port),
    (error) => error instanceof RedisUnavailableError && /Address already in use/i.test(error.message),
  );
}

async function startOn(command: string, argv0: string, env: Record<string, string>, port: number): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'];
  const { child, output, stop } = spawnServer(command, args, { argv0, env: { ...process.env, ...env }, dir, escalate: [['SIGKILL', 10_000]] });
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new RedisUnavailableError(`redis-server exited (${child.exitCode ?? child.signalCode}):\n${output().slice(-2000)}`);
    }
    if (await ping(port)) break;
    if (attempt >= 300) {
      await stop();
      throw new RedisUnavailableError(`redis-server did not answer PING on 127.0.0.1:${port} within 30 s:\n${output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}
