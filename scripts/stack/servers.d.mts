// Types for servers.mjs (plain ESM so `node scripts/stack.mjs` runs without a compile step).
export interface ServerOptions {
  /** the database postgres_exporter connects to (its DATA_SOURCE_NAME), default postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable */
  postgresUrl?: string;
  /** host:port of the Redis the collector's redis receiver reads, default 127.0.0.1:6379 */
  redisEndpoint?: string;
  /** how often each server is read, default 15s */
  interval?: string;
}

export interface ServerService {
  cmd: string;
  args: string[];
  env: Record<string, string>;
  health: string;
}

export declare const SERVER_PORTS: Readonly<{ postgresExporter: number; nodeExporter: number }>;
export declare const SERVER_DEFAULTS: Readonly<Required<ServerOptions>>;
export declare function resolveServerOptions(options?: ServerOptions): Required<ServerOptions>;
export declare function serverStack(opts: { ports: { postgresExporter: number; nodeExporter: number }; options: ServerOptions | undefined }): Promise<{
  services: Record<'postgres-exporter' | 'node-exporter', ServerService>;
  collectorArgs: string[];
  collectorEnv: Record<string, string>;
  urls: { postgresExporter: string; nodeExporter: string };
}>;
