import type { Logger } from '@otelkit/node/kit';
import type { CommandsOptions } from './types.js';

/** Validates pack options from config (unvalidated input); a bad value logs one line and falls back. */
export function resolveCommandsOptions(raw: Readonly<Record<string, unknown>>, logger: Logger): CommandsOptions {
  const out: { -readonly [K in keyof CommandsOptions]: CommandsOptions[K] } = {};
  const check = (key: keyof CommandsOptions, type: 'boolean' | 'function', fallback: string): void => {
    const value = raw[key];
    if (value === undefined) return;
    if (typeof value === type) (out as Record<string, unknown>)[key] = value;
    else logger.warn(`otelkit: pack commands option ${key} must be a ${type}, got ${JSON.stringify(value) ?? typeof value}; using ${fallback}`);
  };
  check('spans', 'boolean', 'true');
  check('nestjsCqrs', 'boolean', 'true');
  check('classify', 'function', 'the default classifier');
  check('now', 'function', 'performance.now');
  return out;
}
