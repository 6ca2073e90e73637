import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const POOL_BYTES = 4096;

/**
 * Trace and span ids from a pool of cryptographically random bytes, refilled 4 KiB at a time (one
 * `randomFillSync` per 256 traces of ten spans). The SDK's default generator draws `Math.random()` for every 4
 * bytes, which showed up on the bank benchmark's profile (about 1 % of the process' CPU under load) and is not a
 * cryptographic source; the W3C trace-context spec asks for random ids. An all-zero id is invalid and is never
 * returned.
 */
export class PooledRandomIdGenerator implements IdGenerator {
  readonly #pool = Buffer.allocUnsafe(POOL_BYTES);
  readonly #fill: (pool: Buffer) => unknown;
  #offset = POOL_BYTES;

  /** `fill` refills the pool; crypto's `randomFillSync` unless a test supplies its own bytes. */
  constructor(fill: (pool: Buffer) => unknown = randomFillSync) {
    this.#fill = fill;
  }

  generateTraceId(): string {
    return this.#next(16);
  }

  generateSpanId(): string {
    return this.#next(8);
  }

  #next(bytes: number): string {
    if (this.#offset + bytes > POOL_BYTES) {
      this.#fill(this.#pool);
      this.#offset = 0;
    }
    const start = this.#offset;
    const end = start + bytes;
    this.#offset = end;
    const pool = this.#pool;
    let i = start;
    while (i < end && pool[i] === 0) i++;
    if (i === end) pool[end - 1] = 1;
    return pool.toString('hex', start, end);
  }
}
