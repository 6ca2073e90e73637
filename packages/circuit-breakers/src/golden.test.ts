// Golden test: a recorded sequence of opossum events, replayed through the real adapter, must produce exactly the
// checked-in exposition text (test/fixtures/packs/circuit-breakers.prom). Regenerate with
// `UPDATE_GOLDEN=1 pnpm vitest run packages/circuit-breakers/src/golden.test.ts`.
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTelemetry } from '@otelkit/node/testing';
import { instrumentOpossum } from './adapters/opossum.js';
import pack from './pack.js';

const golden = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'packs', 'circuit-breakers.prom');

// Stands in for an opossum breaker: same event names and arguments (latency in ms), deterministic timing.
class RecordedBreaker extends EventEmitter {
  readonly options: { name: string };
  opened = false;
  halfOpen = false;
  constructor(name: string) {
    super();
    this.options = { name };
  }
}

// [event, latency ms] as opossum emitted them for a breaker around a flaky dependency.
const RECORDING: readonly (readonly [string, number?])[] = [
  ['success', 12], ['success', 30], ['failure', 250], ['fallback'], ['timeout', 3000], ['failure', 3000], ['fallback'],
  ['failure', 900], ['open'], ['reject'], ['fallback'], ['reject'], ['halfOpen'], ['success', 45], ['close'], ['success', 8],
];

it('replays a recorded opossum sequence into the golden exposition', async () => {
  const t = createTelemetry({ scope: '@otelkit/circuit-breakers' });
  const handle = await pack.setup(t.ctx());
  try {
    const breaker = instrumentOpossum(new RecordedBreaker('ledger'));
    for (const [event, latency] of RECORDING) breaker.emit(event, undefined, latency);
    const text = await t.exposition();
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  } finally {
    await handle?.dispose();
    await t.shutdown();
  }
});
