export { cached, cacheError, cacheLookup } from './cache.js';
export type { CachedOptions } from './cache.js';
export { catalog } from './catalog.js';
export type { DbPackOptions } from './options.js';
export { trackPgPool } from './pool.js';
export type { PgPool } from './pool.js';
