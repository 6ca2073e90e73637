// Bounded load for the bank: opens a few accounts, then sends a mix of commands at a fixed rate for a fixed time,
// with a chosen share of commands that must fail (insufficient funds, unknown account, stale version, bad amount).
// Every outcome is predictable, so the last line (JSON) says exactly how many commands of each type were sent and
// how each was expected to end; tests compare it with what the telemetry counted.
//
//   node src/load.ts --url http://127.0.0.1:3000 --rate 20 --duration 20 --error-share 0.1 [--accounts 8]
//                    [--concurrency 16] [--types Deposit,Withdraw,Transfer]
import { parseArgs } from 'node:util';

type CommandType = 'OpenAccount' | 'Deposit' | 'Withdraw' | 'Transfer';
type Outcome = 'success' | 'rejected' | 'conflict' | 'failure';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.BANK_URL ?? 'http://127.0.0.1:3000' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '20' },
    'error-share': { type: 'string', default: '0.1' },
    accounts: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    types: { type: 'string', default: 'Deposit,Withdraw,Transfer' },
    quiet: { type: 'boolean', default: false },
  },
  strict: true,
});

function num(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`load: --${name} must be a number between ${min} and ${max} (got ${raw})`);
    process.exit(2);
  }
  return value;
}

const baseUrl = args.url.replace(/\/$/, '');
const rate = num('rate', args.rate, 0.1, 2_000);
const durationS = num('duration', args.duration, 0, 3_600);
const errorShare = num('error-share', args['error-share'], 0, 1);
const accountCount = Math.round(num('accounts', args.accounts, 2, 1_000));
const concurrency = Math.round(num('concurrency', args.concurrency, 1, 1_000));
const mix = args.types.split(',').map((t) => t.trim()).filter((t): t is 'Deposit' | 'Withdraw' | 'Transfer' => ['Deposit', 'Withdraw', 'Transfer'].includes(t));
if (mix.length === 0) {
  console.error('load: --types must name at least one of Deposit, Withdraw, Transfer');
  process.exit(2);
}

const INITIAL_DEPOSIT = 1_000_000;
const MAX_AMOUNT = 500;

const sent: Record<string, number> = {};
const expected: Record<string, Record<string, number>> = {};
const observed: Record<string, Record<string, number>> = {};
let mismatches = 0;
let inFlight = 0;
let skipped = 0;
const mismatchSamples: string[] = [];

function bump(table: Record<string, Record<string, number>>, type: string, outcome: string): void {
  const row = (table[type] ??= {});
  row[outcome] = (row[outcome] ?? 0) + 1;
}

function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 403 || status === 404 || status === 422) return 'rejected';
  return 'failure';
}

/** `expect`: the outcome the bank must answer, or the outcomes it may answer (the first is the usual one). */
async function send(type: CommandType, path: string, body: unknown, expect: Outcome | readonly Outcome[]): Promise<Record<string, unknown> | undefined> {
  sent[type] = (sent[type] ?? 0) + 1;
  const accepted: readonly Outcome[] = typeof expect === 'string' ? [expect] : expect;
  inFlight++;
  let outcome: Outcome = 'failure';
  let payload: Record<string, unknown> | undefined;
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    outcome = outcomeOf(res.status);
    payload = (await res.json()) as Record<string, unknown>;
  } catch (error) {
    if (!args.quiet) console.error(`load: ${type} ${path}: ${String(error)}`);
  } finally {
    inFlight--;
  }
  bump(observed, type, outcome);
  bump(expected, type, accepted.includes(outcome) ? outcome : (accepted[0] as Outcome));
  if (!accepted.includes(outcome)) {
    mismatches++;
    if (mismatchSamples.length < 5) mismatchSamples.push(`${type} ${path} expected ${accepted.join(' or ')} got ${outcome}: ${JSON.stringify(payload)}`);
  }
  return outcome === 'success' ? payload : undefined;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const amount = (): number => 1 + Math.floor(Math.random() * MAX_AMOUNT);

// A lower bound of each account's balance: debits count when sent, credits only when confirmed. Debits are only
// sent while the bound covers them, so a "success" withdrawal or transfer can never hit insufficient funds.
const floor = new Map<string, number>();

async function setup(): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < accountCount; i++) {
    const opened = await send('OpenAccount', '/accounts', { owner: `load-${i}` }, 'success');
    const id = opened?.accountId;
    if (typeof id !== 'string') throw new Error(`could not open an account at ${baseUrl}; is the bank running?`);
    const funded = await send('Deposit', `/accounts/${id}/deposits`, { amount: INITIAL_DEPOSIT }, 'success');
    floor.set(id, funded === undefined ? 0 : INITIAL_DEPOSIT);
    ids.push(id);
  }
  return ids;
}

function nextCommand(ids: readonly string[]): Promise<unknown> {
  const id = pick(ids);
  if (Math.random() < errorShare) {
    switch (pick(['insufficient', 'unknown', 'stale', 'invalid'] as const)) {
      case 'insufficient':
        return send('Withdraw', `/accounts/${id}/withdrawals`, { amount: 1_000_000_000_000 }, 'rejected');
      case 'unknown':
        return send('Deposit', `/accounts/no-such-account/deposits`, { amount: 1 }, 'rejected');
      case 'stale':
        // Every account has at least two events (opened, funded), so version 0 is always stale.
        return send('Deposit', `/accounts/${id}/deposits`, { amount: 1, expectedVersion: 0 }, 'conflict');
      case 'invalid':
        return send('Withdraw', `/accounts/${id}/withdrawals`, { amount: -5 }, 'rejected');
    }
  }
  const value = amount();
  const balance = floor.get(id) ?? 0;
  const type = balance >= value ? pick(mix) : 'Deposit';
  if (type === 'Deposit' || !mix.includes(type)) {
    return send('Deposit', `/accounts/${id}/deposits`, { amount: value }, 'success').then((r) => {
      if (r !== undefined) floor.set(id, (floor.get(id) ?? 0) + value);
    });
  }
  floor.set(id, balance - value);
  if (type === 'Withdraw') return send('Withdraw', `/accounts/${id}/withdrawals`, { amount: value }, 'success');
  const to = pick(ids.filter((other) => other !== id));
  // The bank re-reads and retries a transfer whose source account changed under it, and answers 409 once its attempts
  // are spent (src/bank.ts, TRANSFER_ATTEMPTS): with a slow fraud check and other commands on the same account, a
  // conflict is a correct answer too.
  return send('Transfer', '/transfers', { from: id, to, amount: value }, ['success', 'conflict']).then((r) => {
    if (r !== undefined) floor.set(to, (floor.get(to) ?? 0) + value);
  });
}

const started = performance.now();
const ids = await setup();
const pending = new Set<Promise<unknown>>();
const intervalMs = 1_000 / rate;
const deadline = performance.now() + durationS * 1_000;
let next = performance.now();
let lastReport = performance.now();
while (performance.now() < deadline) {
  if (inFlight >= concurrency) {
    skipped++;
  } else {
    const p = nextCommand(ids);
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
  next += intervalMs;
  const wait = next - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (!args.quiet && performance.now() - lastReport > 5_000) {
    lastReport = performance.now();
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    console.error(`load: ${total} commands sent, ${mismatches} unexpected outcomes, ${inFlight} in flight`);
  }
}
await Promise.all(pending);

const total = Object.values(sent).reduce((a, b) => a + b, 0);
const expectedTotals: Record<string, number> = {};
for (const row of Object.values(expected)) {
  for (const [outcome, n] of Object.entries(row)) expectedTotals[outcome] = (expectedTotals[outcome] ?? 0) + n;
}
for (const sample of mismatchSamples) console.error(`load: unexpected outcome: ${sample}`);
console.log(
  JSON.stringify({
    url: baseUrl,
    sent: total,
    byType: sent,
    expected: expectedTotals,
    expectedByType: expected,
    observedByType: observed,
    mismatches,
    skippedTicks: skipped,
    accounts: ids,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  }),
);
