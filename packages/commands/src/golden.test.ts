// Golden test: a recorded sequence of commands, replayed through the pack as core sets it up, must produce exactly
// the checked-in exposition text (test/fixtures/packs/commands.prom). Durations come from an injected clock.
// Regenerate with `UPDATE_GOLDEN=1 pnpm vitest run packages/commands/src/golden.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createTelemetry } from '@otelkit/node/testing';
import pack from './pack.js';
import { recordRetry, withCommand } from './instrument.js';

const golden = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'packs', 'commands.prom');

class ValidationError extends Error {}
class ExpectedVersionConflictError extends Error {}
class LedgerUnavailableError extends Error {}

// [command type, handling time in ms, what the handler threw (if anything)] as a bank service recorded them.
const RECORDING: readonly (readonly [string, number, (new (m: string) => Error)?])[] = [
  ['OpenAccount', 12],
  ['OpenAccount', 9],
  ['Deposit', 4],
  ['Deposit', 7],
  ['Deposit', 180],
  ['Withdraw', 3, ValidationError],
  ['Withdraw', 6],
  ['Transfer', 25, ExpectedVersionConflictError],
  ['Transfer', 31],
  ['CloseAccount', 2400, LedgerUnavailableError],
];

it('replays a recorded command sequence into the golden exposition', async () => {
  const t = createTelemetry({ scope: '@otelkit/commands' });
  let clock = 0;
  const handle = await pack.setup(t.ctx({ now: () => clock, nestjsCqrs: false }));
  try {
    for (const [type, ms, error] of RECORDING) {
      try {
        withCommand(type, () => {
          clock += ms;
          if (error !== undefined) throw new error(`${type} failed`);
        });
      } catch {
        // The application handles it; the pack has recorded it.
      }
    }
    recordRetry('Transfer', 'conflict');
    // One command still in flight when the scrape happens.
    let release!: () => void;
    const inFlight = withCommand('Transfer', () => new Promise<void>((resolve) => (release = resolve)));
    const text = await t.exposition();
    release();
    await inFlight;
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
    expect(t.logs).toEqual([]);
  } finally {
    await handle?.dispose();
    await t.shutdown();
  }
});
