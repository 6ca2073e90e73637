export { catalog } from './catalog.js';
export { DEFAULT_IGNORE_PATHS } from './options.js';
export type { HttpPackOptions } from './options.js';
export { setHttpRoute } from './route-key.js';
