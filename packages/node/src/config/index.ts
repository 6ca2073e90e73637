export { resolveConfig } from './resolve.js';
export type { ResolveContext } from './resolve.js';
export type { ResolvedBatch, ResolvedConfig, ResolvedOtlp, ResolvedSampler } from './resolved.js';
export { ENV_VARS } from './env.js';
export type { Env } from './env.js';
export { substituteEnv } from './file.js';
