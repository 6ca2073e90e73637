import type { Logger } from '@otelkit/node/kit';

/** Options of the http pack: `start({ packOptions: { http: { ... } } })` or the config file. */
export interface HttpPackOptions {
  /** Instrument inbound requests of `node:http`/`node:https` servers. @default true */
  readonly server?: boolean;
  /** Instrument outbound `node:http`/`node:https` requests. @default true */
  readonly client?: boolean;
  /** Instrument `fetch` (undici) requests. @default true */
  readonly fetch?: boolean;
  /**
   * Inbound paths that produce neither spans nor metrics: exact paths, or prefixes ending in `*`.
   * The query string is ignored when matching.
   * @default ['/metrics', '/health', '/healthz', '/livez', '/readyz']
   */
  readonly ignorePaths?: readonly string[];
}

export interface ResolvedHttpPackOptions {
  readonly server: boolean;
  readonly client: boolean;
  readonly fetch: boolean;
  readonly ignorePaths: readonly string[];
}

export const DEFAULT_IGNORE_PATHS: readonly string[] = ['/metrics', '/health', '/healthz', '/livez', '/readyz'];

/** Validates untyped pack options; a bad value logs one line naming it and falls back to the default. */
export function resolveHttpOptions(raw: Readonly<Record<string, unknown>>, logger: Logger): ResolvedHttpPackOptions {
  const flag = (key: 'server' | 'client' | 'fetch'): boolean => {
    const v = raw[key];
    if (v === undefined) return true;
    if (typeof v === 'boolean') return v;
    logger.warn(`otelkit: http pack option ${key} must be true or false, got ${JSON.stringify(v)}; using true`);
    return true;
  };
  let ignorePaths = DEFAULT_IGNORE_PATHS;
  const paths = raw['ignorePaths'];
  if (paths !== undefined) {
    if (Array.isArray(paths) && paths.every((p): p is string => typeof p === 'string' && p.startsWith('/'))) ignorePaths = paths;
    else logger.warn(`otelkit: http pack option ignorePaths must be a list of paths starting with "/", got ${JSON.stringify(paths)}; using ${JSON.stringify(DEFAULT_IGNORE_PATHS)}`);
  }
  return { server: flag('server'), client: flag('client'), fetch: flag('fetch'), ignorePaths };
}

/** A predicate over request URLs (`/path?query`) for the ignore list; exact paths are looked up in a Set. */
export function pathMatcher(patterns: readonly string[]): (url: string | undefined) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (url) => {
    if (url === undefined) return false;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (exact.has(path)) return true;
    for (const p of prefixes) if (path.startsWith(p)) return true;
    return false;
  };
}
