import { describe, expect, it } from 'vitest';
import { createLogger, RateLimiter, rateLimitedWarn } from './logger.js';

describe('createLogger', () => {
  it('prefixes every line with otelkit: and filters by level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (l) => lines.push(l));
    logger.error('a');
    logger.warn('otelkit: b');
    logger.info('c');
    logger.debug('d');
    expect(lines).toEqual(['otelkit: a', 'otelkit: b']);
  });

  it('none prints nothing; a throwing sink never throws into the caller', () => {
    const lines: string[] = [];
    createLogger('none', (l) => lines.push(l)).error('x');
    expect(lines).toEqual([]);
    expect(() => createLogger('debug', () => { throw new Error('EPIPE'); }).error('x')).not.toThrow();
  });
});

describe('rateLimitedWarn', () => {
  it('passes one message per key per window and reports how many it hid', () => {
    let now = 0;
    const lines: string[] = [];
    const warn = rateLimitedWarn(createLogger('info', (l) => lines.push(l)), new RateLimiter(60_000, () => now));
    warn('metrics', 'otelkit: export failed');
    warn('metrics', 'otelkit: export failed');
    warn('traces', 'otelkit: trace export failed');
    now = 59_999;
    warn('metrics', 'otelkit: export failed');
    now = 60_000;
    warn('metrics', 'otelkit: export failed');
    expect(lines).toEqual([
      'otelkit: export failed',
      'otelkit: trace export failed',
      'otelkit: export failed (2 similar suppressed)',
    ]);
  });
});
