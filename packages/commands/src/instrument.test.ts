import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindCommands, instrumentCommand, recordRetry, withCommand } from './instrument.js';

class ValidationError extends Error {}
class ExpectedVersionConflictError extends Error {}

let t: Telemetry;
let unbind: () => void;
let clock = 0;

beforeEach(() => {
  t = createTelemetry();
  clock = 0;
  unbind = bindCommands(t.meter, t.tracer, '', { now: () => clock });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

const histogram = async (attrs: Record<string, string>): Promise<Histogram | undefined> =>
  (await t.point('command.duration', attrs))?.value as Histogram | undefined;

describe('withCommand', () => {
  it('records a successful async command with its duration in seconds and a command span', async () => {
    const result = await withCommand('OpenAccount', async () => {
      clock += 250;
      await Promise.resolve();
      return 42;
    }, { attributes: { 'aggregate.id': 'acc-1' } });
    expect(result).toBe(42);
    const h = await histogram({ 'command.type': 'OpenAccount', 'command.outcome': 'success' });
    expect(h?.count).toBe(1);
    expect(h?.sum).toBeCloseTo(0.25);
    const [span] = await t.spans();
    expect(span?.name).toBe('command OpenAccount');
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.attributes).toEqual({ 'command.type': 'OpenAccount', 'aggregate.id': 'acc-1' });
  });

  it('classifies rejections, conflicts and failures, with error.type, and rethrows unchanged', async () => {
    const rejected = new ValidationError('amount must be positive');
    await expect(withCommand('Deposit', () => Promise.reject(rejected))).rejects.toBe(rejected);
    await expect(withCommand('Deposit', () => Promise.reject(new ExpectedVersionConflictError('v')))).rejects.toThrow('v');
    expect(() => withCommand('Deposit', () => { throw new TypeError('boom'); })).toThrow(TypeError);
    expect((await histogram({ 'command.type': 'Deposit', 'command.outcome': 'rejected', 'error.type': 'ValidationError' }))?.count).toBe(1);
    expect((await histogram({ 'command.type': 'Deposit', 'command.outcome': 'conflict', 'error.type': 'ExpectedVersionConflictError' }))?.count).toBe(1);
    expect((await histogram({ 'command.type': 'Deposit', 'command.outcome': 'failure', 'error.type': 'TypeError' }))?.count).toBe(1);
    const statuses = (await t.spans()).map((s) => [s.attributes['command.outcome'], s.status.code]);
    expect(statuses).toEqual([
      ['rejected', SpanStatusCode.UNSET],
      ['conflict', SpanStatusCode.ERROR],
      ['failure', SpanStatusCode.ERROR],
    ]);
  });

  it('lets a per-call classifier override the default', async () => {
    await expect(withCommand('Withdraw', () => Promise.reject(new Error('insufficient funds')), { classify: () => 'rejected' })).rejects.toThrow();
    expect((await histogram({ 'command.type': 'Withdraw', 'command.outcome': 'rejected', 'error.type': 'Error' }))?.count).toBe(1);
  });

  it('falls back to the default rule when a classifier throws', async () => {
    const classify = (): undefined => {
      throw new Error('classifier bug');
    };
    const original = new ValidationError('bad');
    await expect(withCommand('Open', () => Promise.reject(original), { classify })).rejects.toBe(original);
    expect((await histogram({ 'command.type': 'Open', 'command.outcome': 'rejected', 'error.type': 'ValidationError' }))?.count).toBe(1);
  });

  it('tracks in-flight commands in command.active', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = withCommand('Transfer', () => gate);
    expect((await t.point('command.active', { 'command.type': 'Transfer' }))?.value).toBe(1);
    release();
    await running;
    expect((await t.point('command.active', { 'command.type': 'Transfer' }))?.value).toBe(0);
  });

  it('runs the handler inside the command span so nested work becomes its child', async () => {
    const { trace } = await import('@opentelemetry/api');
    const inner = await withCommand('Nested', async () => {
      await Promise.resolve();
      return trace.getActiveSpan()?.spanContext().spanId;
    });
    expect(inner).toBe((await t.spans())[0]?.spanContext().spanId);
  });
});

describe('instrumentCommand and recordRetry', () => {
  it('wraps a handler keeping this and arguments', async () => {
    const handler = instrumentCommand('Rename', function (this: { prefix: string }, name: string) {
      return `${this.prefix}${name}`;
    });
    expect(handler.call({ prefix: 'x-' }, 'y')).toBe('x-y');
    expect((await histogram({ 'command.type': 'Rename', 'command.outcome': 'success' }))?.count).toBe(1);
  });

  it('counts retries by reason', async () => {
    recordRetry('Deposit');
    recordRetry('Deposit');
    recordRetry('Deposit', 'transient');
    expect((await t.point('command.retries', { 'command.type': 'Deposit', 'retry.reason': 'conflict' }))?.value).toBe(2);
    expect((await t.point('command.retries', { 'command.type': 'Deposit', 'retry.reason': 'transient' }))?.value).toBe(1);
  });

  it('records no spans when spans are off', async () => {
    unbind();
    unbind = bindCommands(t.meter, t.tracer, 'shop', { spans: false, now: () => clock });
    withCommand('Ping', () => 1);
    expect(await t.spans()).toHaveLength(0);
    expect(((await t.point('shop.command.duration', { 'command.type': 'Ping', 'command.outcome': 'success' }))?.value as Histogram).count).toBe(1);
  });
});
