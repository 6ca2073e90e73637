// Golden test: a recorded sequence of events handled by two projections, through the pack as core sets it up, must
// produce exactly the checked-in exposition (test/fixtures/packs/projections.prom). Clocks are injected.
// Regenerate with `UPDATE_GOLDEN=1 pnpm vitest run packages/projections/src/golden.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTelemetry } from '@otelkit/node/testing';
import pack from './pack.js';
import { instrumentProjection, recordCheckpoint, setProjectionStatus } from './instrument.js';

const golden = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'packs', 'projections.prom');

interface Recorded {
  readonly type: string;
  readonly metadata: { readonly globalPosition: bigint; readonly timestamp: number };
}
// [type, global position, recorded at (ms since epoch), handling time in ms]
const EVENTS: readonly (readonly [string, bigint, number, number])[] = [
  ['AccountOpened', 1n, 1_000, 2],
  ['Deposited', 2n, 2_000, 3],
  ['Renamed', 3n, 3_000, 1],
  ['Deposited', 4n, 4_000, 5],
  ['Withdrawn', 5n, 5_000, 4],
  ['Deposited', 6n, 6_000, 250],
];

it('replays a recorded projection sequence into the golden exposition', async () => {
  const t = createTelemetry({ scope: '@otelkit/projections' });
  let clock = 0;
  let step = 0;
  const now = (): number => {
    const value = clock;
    clock += step;
    return value;
  };
  let wall = 0;
  const handle = await pack.setup(t.ctx({ now, wallClock: () => wall }));
  try {
    const balance = instrumentProjection('balance', (_e: Recorded) => undefined, {
      canHandle: (e) => e.type !== 'Renamed',
      headPosition: () => 9n,
    });
    const statement = instrumentProjection(
      'statement',
      (e: Recorded) => {
        if (e.type === 'Withdrawn') throw new Error('statement store unavailable');
      },
      { canHandle: (e) => e.type === 'Deposited' || e.type === 'Withdrawn', headPosition: () => 9n, catchingUpAbove: 2 },
    );
    for (const [type, globalPosition, timestamp, ms] of EVENTS) {
      const event: Recorded = { type, metadata: { globalPosition, timestamp } };
      wall = timestamp + 1_500; // handled 1.5 s after it was recorded
      step = ms;
      balance(event);
      try {
        statement(event);
      } catch {
        // The subscription would retry; the pack has counted the failure.
      }
    }
    recordCheckpoint('balance', 6n);
    recordCheckpoint('statement', 4n);
    setProjectionStatus('statement', 'stalled');
    const text = await t.exposition();
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  } finally {
    await handle?.dispose();
    await t.shutdown();
  }
});
