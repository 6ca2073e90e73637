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

// Keys come from SDK diagnostics (message prefixes) as well as otelkit's own: bounded like every app-fed map.
const MAX_RATE_LIMIT_KEYS = 1000;

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
    if (entry === undefined && this.#last.size >= MAX_RATE_LIMIT_KEYS) this.#prune(now);
    this.#last.set(key, { at: now, suppressed: 0 });
    return suppressed;
  }

  /** Keys whose window is over hold nothing worth keeping; if every window is open, the oldest key goes. */
  #prune(now: number): void {
    for (const [key, entry] of this.#last) if (now - entry.at >= this.#windowMs) this.#last.delete(key);
    if (this.#last.size < MAX_RATE_LIMIT_KEYS) return;
    const oldest = this.#last.keys().next();
    if (oldest.done !== true) this.#last.delete(oldest.value);
  }

  /** Keys held (for the bounded-state test). */
  get size(): number {
    return this.#last.size;
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

interface SumEntry {
  at: number;
  total: number;
  line: (total: number) => string;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Counts that come in many small reports (spans dropped on a full queue) as at most one line per window per key:
 * the first report at once, then the sum of each window when it ends, so a flood of reports is one line a
 * minute that still says how many. `flush()` prints what is pending (at shutdown, before the process ends).
 */
export class SummedWarnings {
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, SumEntry>();

  constructor(logger: Logger, windowMs = 60_000, now: () => number = () => Date.now()) {
    this.#logger = logger;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Adds `n` to the key's sum; cheap while a line for the key is already scheduled (no clock read, no allocation). */
  add(key: string, n: number, line: (total: number) => string): void {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { at: -Infinity, total: 0, line, timer: undefined };
      this.#entries.set(key, entry);
    }
    entry.total += n;
    entry.line = line;
    if (entry.timer !== undefined) return;
    const wait = entry.at + this.#windowMs - this.#now();
    if (wait <= 0) {
      this.#emit(entry);
      return;
    }
    const due = entry;
    entry.timer = setTimeout(() => {
      due.timer = undefined;
      this.#emit(due);
    }, wait);
    entry.timer.unref();
  }

  flush(): void {
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      this.#emit(entry);
    }
  }

  #emit(entry: SumEntry): void {
    if (entry.total === 0) return;
    const total = entry.total;
    entry.total = 0;
    entry.at = this.#now();
    this.#logger.warn(entry.line(total));
  }
}
