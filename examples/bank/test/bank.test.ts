// The bank as a user runs it: a real process under `--import @otelkit/node/register`, driven over HTTP. Checks the
// API's behaviour and that the pull endpoint exposes every pack's metrics with exact command counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, runLoad, startBank, sumOf, type BankProcess, type Sample } from './run-bank.ts';

let bank: BankProcess;

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${bank.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${bank.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function metrics(): Promise<Sample[]> {
  const res = await fetch(bank.metricsUrl);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

beforeAll(async () => {
  bank = await startBank({
    env: {
      // Nothing listens here: the OTLP exporters fail, which must only ever produce otelkit warnings.
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      FRAUD_FAILURE_SHARE: '0',
      NOTIFY_FAILURE_SHARE: '0',
      BREAKER_RESET_MS: '60000',
    },
  });
});

afterAll(async () => {
  await bank.stop();
});

describe('bank API', () => {
  let ada: string;
  let bob: string;

  it('opens accounts and handles deposits, withdrawals and transfers', async () => {
    const opened = await post('/accounts', { owner: 'ada' });
    expect(opened.status).toBe(201);
    ada = opened.body.accountId as string;
    bob = (await post('/accounts', { owner: 'bob' })).body.accountId as string;

    expect(await post(`/accounts/${ada}/deposits`, { amount: 10_000 })).toMatchObject({ status: 200, body: { balance: 10_000, version: 2 } });
    expect(await post(`/accounts/${ada}/withdrawals`, { amount: 2_500 })).toMatchObject({ status: 200, body: { balance: 7_500, version: 3 } });
    expect(await post('/transfers', { from: ada, to: bob, amount: 500 })).toMatchObject({ status: 200, body: { balance: 7_000, fraudCheck: 'approved' } });
  });

  it('refuses what the domain refuses, with a status per kind', async () => {
    expect(await post(`/accounts/${ada}/withdrawals`, { amount: 1_000_000 })).toMatchObject({ status: 422, body: { kind: 'refused' } });
    expect(await post(`/accounts/${ada}/deposits`, { amount: 1, expectedVersion: 1 })).toMatchObject({ status: 409, body: { kind: 'conflict' } });
    expect(await post('/accounts/nobody/deposits', { amount: 1 })).toMatchObject({ status: 404, body: { kind: 'not_found' } });
    expect(await post(`/accounts/${ada}/deposits`, { amount: 0.5 })).toMatchObject({ status: 400, body: { kind: 'validation' } });
    expect(await post('/transfers', { from: ada, to: ada, amount: 1 })).toMatchObject({ status: 400 });
  });

  it('serves balances and statements from the projections', async () => {
    expect((await post('/admin/projections/settle', {})).status).toBe(200);
    expect(await get(`/accounts/${ada}`)).toMatchObject({ status: 200, body: { owner: 'ada', balance: 7_000, version: 4 } });
    const statement = await get(`/accounts/${bob}/statement`);
    expect(statement.status).toBe(200);
    expect(statement.body.lines).toEqual([
      expect.objectContaining({ kind: 'opened', balanceAfter: 0 }),
      expect.objectContaining({ kind: 'transfer_in', amount: 500, balanceAfter: 500, counterparty: ada }),
    ]);
  });
});

describe('pull endpoint', () => {
  it('counts exactly the commands the load sent, by type and outcome', async () => {
    const before = await metrics();
    const report = await runLoad(bank.url, { rate: 40, duration: 3, errorShare: 0.3, accounts: 3 });
    expect(report.mismatches).toBe(0);
    await post('/admin/projections/settle', {});
    const after = await metrics();
    for (const [type, outcomes] of Object.entries(report.expectedByType)) {
      for (const [outcome, n] of Object.entries(outcomes)) {
        const where = { command_type: type, command_outcome: outcome };
        expect(sumOf(after, 'command_duration_seconds_count', where) - sumOf(before, 'command_duration_seconds_count', where), `${type}/${outcome}`).toBe(n);
      }
    }
    expect(sumOf(after, 'command_duration_seconds_count') - sumOf(before, 'command_duration_seconds_count')).toBe(report.sent);
  });

  it('exposes every pack and the runtime metrics', async () => {
    const samples = await metrics();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'command_duration_seconds_bucket',
      'command_active',
      'eventstore_operation_duration_seconds_count',
      'eventstore_events_total',
      'projection_events_total',
      'projection_duration_seconds_count',
      'circuit_breaker_calls_total',
      'circuit_breaker_state',
      'http_server_request_duration_seconds_count',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(sumOf(samples, 'eventstore_operation_duration_seconds_count', { eventstore_system: 'emmett.inmemory', eventstore_operation: 'append' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'projection_events_total', { projection_name: 'balance', projection_outcome: 'processed' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'projection_events_total', { projection_name: 'statement', projection_outcome: 'processed' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'circuit_breaker_calls_total', { circuit_breaker_name: 'fraud-check', circuit_breaker_outcome: 'success' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'circuit_breaker_calls_total', { circuit_breaker_name: 'notifications' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'circuit_breaker_state', { circuit_breaker_name: 'fraud-check', circuit_breaker_state: 'closed' })).toBe(1);
    // Runtime metrics (core): at least the event loop and memory families.
    expect([...names].some((n) => n.startsWith('nodejs_') || n.startsWith('v8js_'))).toBe(true);
  });

  it('opens the fraud-check breaker when the service is forced down, and says so', async () => {
    const a = (await post('/accounts', { owner: 'carol' })).body.accountId as string;
    const b = (await post('/accounts', { owner: 'dan' })).body.accountId as string;
    await post(`/accounts/${a}/deposits`, { amount: 100_000 });
    await post('/admin/fraud-check', { down: true });
    const breakerState = async (): Promise<string | undefined> => ((await get('/admin/status')).body.breakers as Record<string, string>)['fraud-check'];
    // The breaker opens once failures are half of its rolling window (which still holds the load's successes).
    for (let i = 0; i < 200 && (await breakerState()) !== 'open'; i++) {
      // Small transfers still succeed: the fallback lets them through unchecked.
      expect(await post('/transfers', { from: a, to: b, amount: 10 })).toMatchObject({ status: 200, body: { fraudCheck: 'unchecked' } });
    }
    // Above the fail-open limit a transfer that cannot be checked is refused as a failure (503).
    expect(await post('/transfers', { from: a, to: b, amount: 60_000 })).toMatchObject({ status: 503, body: { kind: 'unavailable' } });
    expect(((await get('/admin/status')).body.breakers as Record<string, string>)['fraud-check']).toBe('open');
    const samples = await metrics();
    expect(sumOf(samples, 'circuit_breaker_state', { circuit_breaker_name: 'fraud-check', circuit_breaker_state: 'open' })).toBe(1);
    expect(sumOf(samples, 'circuit_breaker_transitions_total', { circuit_breaker_name: 'fraud-check', circuit_breaker_state: 'open' })).toBeGreaterThanOrEqual(1);
    await post('/admin/fraud-check', { down: false });
  });

  it('keeps serving with no collector, and telemetry never reaches the app as an error', () => {
    expect(bank.exited()).toBeUndefined();
    expect(bank.stderr()).not.toMatch(/Unhandled|uncaught|TypeError|ReferenceError/i);
    const nonOtelkit = bank.stderr().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('otelkit:'));
    expect(nonOtelkit).toEqual([]);
  });
});

describe('FRAUD_LATENCY_MS', () => {
  async function transferMs(slow: BankProcess): Promise<number> {
    const send = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${slow.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await res.json()) as Record<string, unknown>;
    };
    const a = (await send('/accounts', { owner: 'slow-a' })).accountId as string;
    const b = (await send('/accounts', { owner: 'slow-b' })).accountId as string;
    await send(`/accounts/${a}/deposits`, { amount: 1_000 });
    const started = performance.now();
    expect(await send('/transfers', { from: a, to: b, amount: 10 })).toMatchObject({ fraudCheck: 'approved' });
    return performance.now() - started;
  }

  it('makes the fraud check answer that much later, so transfers are slow', async () => {
    const slow = await startBank({ env: { OTEL_SDK_DISABLED: 'true', FRAUD_FAILURE_SHARE: '0', FRAUD_LATENCY_MS: '300' } });
    try {
      // A lower bound: the transfer waited for the fraud check's answer.
      expect(await transferMs(slow)).toBeGreaterThanOrEqual(300);
    } finally {
      await slow.stop();
    }
  });

  it('names a bad value and the fallback on stderr, and keeps running without the delay', async () => {
    const bad = await startBank({ env: { OTEL_SDK_DISABLED: 'true', FRAUD_FAILURE_SHARE: '0', FRAUD_LATENCY_MS: '1500' } });
    try {
      await expect.poll(() => bad.stderr()).toContain('bank: FRAUD_LATENCY_MS=1500 is not a whole number of milliseconds from 0 to 900; using 0');
      await transferMs(bad);
      expect(bad.exited()).toBeUndefined();
    } finally {
      await bad.stop();
    }
  });
});
