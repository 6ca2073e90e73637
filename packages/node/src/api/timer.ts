import type { Attributes, Histogram } from '@opentelemetry/api';

/** A running timer; `stop` records the elapsed seconds once and returns them. */
export interface Timer {
  stop(extra?: Attributes): number;
}

/**
 * Starts timing for a histogram in seconds (`unit: 's'`). Attributes given to `stop` are added to those given
 * here, e.g. the outcome known only at the end.
 */
export function startTimer(histogram: Histogram, attributes: Attributes = {}): Timer {
  const started = process.hrtime.bigint();
  let done = false;
  return {
    stop(extra?: Attributes): number {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (done) return seconds;
      done = true;
      histogram.record(seconds, extra === undefined ? attributes : { ...attributes, ...extra });
      return seconds;
    },
  };
}

/**
 * Times `fn` (sync or async) into `histogram` in seconds, adding `outcome: success|failure` from how it ended.
 * Errors are rethrown unchanged.
 */
export function timed<T>(histogram: Histogram, attributes: Attributes, fn: () => T): T {
  const timer = startTimer(histogram, attributes);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    timer.stop({ outcome: 'failure' });
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        timer.stop({ outcome: 'success' });
        return value;
      },
      (error: unknown) => {
        timer.stop({ outcome: 'failure' });
        throw error;
      },
    ) as T;
  }
  timer.stop({ outcome: 'success' });
  return result;
}
