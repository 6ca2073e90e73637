/** otelkit's own diagnostic log; every line starts with `otelkit:`. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const RANKS = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5, all: 6 } as const;

/** Level names understood by `createLogger`, as in `OTEL_LOG_LEVEL`. */
export type LoggerLevel = keyof typeof RANKS;

/** A logger writing `otelkit: <message>` lines at or above `level`; the sink defaults to stderr. */
export function createLogger(level: LoggerLevel, write: (line: string) => void = writeStderr): Logger {
  const rank = RANKS[level];
  const emit = (min: number, message: string): void => {
    if (rank < min) return;
    try {
      write(message.startsWith('otelkit:') ? message : `otelkit: ${message}`);
    } catch {
      // A closed stderr must not turn telemetry logging into an app crash.
    }
  };
  return {
    error: (m) => emit(1, m),
    warn: (m) => emit(2, m),
    info: (m) => emit(3, m),
    debug: (m) => emit(4, m),
  };
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Lets a message through at most once per `windowMs` per key; counts what it suppressed. */
export class RateLimiter {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(windowMs = 60_000, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Returns how many were suppressed since the last pass when the message may be logged, otherwise undefined. */
  allow(key: string): number | undefined {
    const now = this.#now();
    const entry = this.#last.get(key);
    if (entry !== undefined && now - entry.at < this.#windowMs) {
      entry.suppressed++;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#last.set(key, { at: now, suppressed: 0 });
    return suppressed;
  }
}

/** Logs `warn(key, message)` at most once per window per key, noting how many repeats were hidden. */
export function rateLimitedWarn(logger: Logger, limiter: RateLimiter): (key: string, message: string) => void {
  return (key, message) => {
    const suppressed = limiter.allow(key);
    if (suppressed === undefined) return;
    logger.warn(suppressed > 0 ? `${message} (${suppressed} similar suppressed)` : message);
  };
}
