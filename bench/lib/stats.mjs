export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function fixed(value, digits = 0) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function ratio(value, base) {
  return Number.isFinite(value) && Number.isFinite(base) && base > 0 ? `${(value / base).toFixed(2)}×` : 'n/a';
}

/** Times `fn` over `iterations` calls, `rounds` times; returns the median ns per call. */
export function nsPerOp(fn, { iterations = 50_000, rounds = 7, warmup = 20_000 } = {}) {
  for (let i = 0; i < warmup; i++) fn(i);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  return median(samples);
}
