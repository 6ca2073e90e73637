// The real PostgreSQL and redis-server that test/support starts on loopback (each fails with a plain message when
// its server cannot run here). Loaded by path because test/support lives outside this package's source root.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PostgresServer {
  readonly url: string;
  readonly port: number;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const support = (file: string): string => pathToFileURL(join(import.meta.dirname, '..', '..', '..', '..', 'test', 'support', file)).href;

export async function startPostgres(): Promise<PostgresServer> {
  const { startPostgres: start } = (await import(support('postgres.ts'))) as { startPostgres(): Promise<PostgresServer> };
  return start();
}

export async function startRedis(): Promise<RedisServer> {
  const { startRedis: start } = (await import(support('redis.ts'))) as { startRedis(): Promise<RedisServer> };
  return start();
}
