import { describe, expect, it } from 'vitest';
import { PooledRandomIdGenerator } from './id-generator.js';

describe('PooledRandomIdGenerator', () => {
  it('gives 32- and 16-hex-digit ids, distinct across pool refills', () => {
    const g = new PooledRandomIdGenerator();
    const seen = new Set<string>();
    // 2,000 trace ids and 2,000 span ids: 48 KB, a dozen refills of the 4 KiB pool.
    for (let i = 0; i < 2000; i++) {
      const traceId = g.generateTraceId();
      const spanId = g.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId).add(spanId);
    }
    expect(seen.size).toBe(4000);
  });

  it('never returns an all-zero (invalid) id, even when the random bytes are all zero', () => {
    let fills = 0;
    const g = new PooledRandomIdGenerator((pool) => {
      fills++;
      pool.fill(0);
    });
    expect(g.generateTraceId()).toBe(`${'0'.repeat(31)}1`);
    expect(g.generateSpanId()).toBe(`${'0'.repeat(15)}1`);
    expect(fills).toBe(1);
  });
});
