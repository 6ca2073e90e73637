// Bounded state: command types come from the app, so the pack keeps state for a fixed number of them.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { CommandEntry, MAX_COMMAND_TYPES, MAX_ERROR_TYPES, trackedCommandTypes } from './entries.js';
import { bindCommands, recordRetry, withCommand } from './instrument.js';

let t: Telemetry;
let unbind: () => void;
beforeEach(() => {
  t = createTelemetry();
  unbind = bindCommands(t.meter, t.tracer, '', { spans: false, now: () => 0 });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

it('100k distinct command types: state for 1000, the rest recorded as _OTHER and counted', async () => {
  const types = 100_000;
  for (let i = 0; i < types; i++) withCommand(`Type${i}`, () => undefined);
  recordRetry('Type99999');
  expect(trackedCommandTypes()).toBe(MAX_COMMAND_TYPES);
  expect((await t.point('command.overflows', {}))?.value).toBe(types - MAX_COMMAND_TYPES + 1);
  const other = (await t.point('command.duration', { 'command.type': '_OTHER', 'command.outcome': 'success' }))?.value as Histogram | undefined;
  expect(other?.count).toBe(types - MAX_COMMAND_TYPES);
  expect((await t.point('command.retries', { 'command.type': '_OTHER', 'retry.reason': 'conflict' }))?.value).toBe(1);
  expect((await t.point('command.duration', { 'command.type': 'Type999', 'command.outcome': 'success' }))?.value).toMatchObject({ count: 1 });
  const series = await t.points('command.duration');
  expect(series).toHaveLength(MAX_COMMAND_TYPES + 1);
  expect((await t.points('command.active')).length).toBe(MAX_COMMAND_TYPES + 1);
});

it('an overflowed command still gets a span under its real type', async () => {
  unbind();
  unbind = bindCommands(t.meter, t.tracer, '', { spans: true });
  for (let i = 0; i <= MAX_COMMAND_TYPES; i++) withCommand(`Fill${i}`, () => undefined);
  withCommand('RareCommand', () => undefined);
  const spans = await t.spans();
  expect(spans.at(-1)?.name).toBe('command RareCommand');
  expect(spans.at(-1)?.attributes['command.type']).toBe('RareCommand');
});

it('keeps at most 100 error types and retry reasons per command type; later ones are _OTHER', () => {
  // error.type is the error's class name: classes made at run time (a generated client, say) are unbounded
  const entry = new CommandEntry('Pay');
  const seen = new Set<unknown>();
  for (let i = 0; i < 500; i++) {
    seen.add(entry.outcome('failure', `DynamicError${i}`)['error.type']);
    seen.add(entry.retry(`reason${i}`)['retry.reason']);
  }
  expect(entry.size).toBe(2 * (MAX_ERROR_TYPES + 1));
  expect(seen.size).toBe(2 * MAX_ERROR_TYPES + 1);
  expect(entry.outcome('failure', 'DynamicError499')).toEqual({ 'command.type': 'Pay', 'command.outcome': 'failure', 'error.type': '_OTHER' });
  expect(entry.outcome('failure', 'DynamicError499')).toBe(entry.outcome('failure', 'DynamicError300'));
  expect(entry.outcome('failure', 'DynamicError7')['error.type']).toBe('DynamicError7');
});
