import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, RateLimiter, rateLimitedWarn, SummedWarnings } from './logger.js';

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

describe('RateLimiter', () => {
  it('holds at most 1000 keys: expired windows go first, then the oldest', () => {
    let now = 0;
    const limiter = new RateLimiter(60_000, () => now);
    for (let i = 0; i < 100_000; i++) expect(limiter.allow(`diag:warn:message ${i}`)).toBe(0);
    expect(limiter.size).toBe(1000);
    // a key still inside its window keeps suppressing
    expect(limiter.allow('diag:warn:message 99999')).toBeUndefined();
    now = 60_000;
    limiter.allow('fresh');
    expect(limiter.size).toBe(1);
  });
});

describe('SummedWarnings', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const dropped = (total: number): string => `otelkit: ${total} span(s) dropped`;

  it('prints the first report at once, then one line per window with the sum of the rest', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const summed = new SummedWarnings(createLogger('info', (l) => lines.push(l)), 60_000, () => Date.now());
    summed.add('drops', 1, dropped);
    expect(lines).toEqual(['otelkit: 1 span(s) dropped']);
    // a flood within the window: no line until the window ends
    for (let i = 0; i < 1000; i++) summed.add('drops', 3, dropped);
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(lines).toEqual(['otelkit: 1 span(s) dropped', 'otelkit: 3000 span(s) dropped']);
    // nothing more reported: no line at the next window's end
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
  });

  it('after a quiet window, the next report is again a line at once', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const summed = new SummedWarnings(createLogger('info', (l) => lines.push(l)), 60_000, () => Date.now());
    summed.add('drops', 5, dropped);
    vi.advanceTimersByTime(30_000);
    // within the window of the last line: held until that window ends (60 s after the first line)
    summed.add('drops', 2, dropped);
    vi.advanceTimersByTime(29_999);
    expect(lines).toEqual(['otelkit: 5 span(s) dropped']);
    vi.advanceTimersByTime(1);
    expect(lines).toEqual(['otelkit: 5 span(s) dropped', 'otelkit: 2 span(s) dropped']);
    vi.advanceTimersByTime(90_000);
    summed.add('drops', 4, dropped);
    expect(lines).toEqual(['otelkit: 5 span(s) dropped', 'otelkit: 2 span(s) dropped', 'otelkit: 4 span(s) dropped']);
  });

  it('keeps keys apart, and flush() prints what is pending once, cancelling the window timers', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const summed = new SummedWarnings(createLogger('info', (l) => lines.push(l)), 60_000, () => Date.now());
    summed.add('a', 1, (n) => `otelkit: a ${n}`);
    summed.add('b', 1, (n) => `otelkit: b ${n}`);
    summed.add('a', 7, (n) => `otelkit: a ${n}`);
    summed.add('a', 1, (n) => `otelkit: a ${n}`);
    summed.flush();
    summed.flush();
    vi.advanceTimersByTime(120_000);
    expect(lines).toEqual(['otelkit: a 1', 'otelkit: b 1', 'otelkit: a 8']);
  });
});
