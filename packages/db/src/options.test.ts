import { recordingLogger } from '@otelkit/node/testing';
import { expect, it } from 'vitest';
import { resolveDbOptions } from './options.js';

it('defaults every switch to true', () => {
  expect(resolveDbOptions({}, recordingLogger([]))).toEqual({ postgresql: true, redis: true, queryText: true });
});

it('takes booleans as given', () => {
  expect(resolveDbOptions({ postgresql: false, redis: false, queryText: false }, recordingLogger([]))).toEqual({ postgresql: false, redis: false, queryText: false });
});

it.each(['postgresql', 'redis', 'queryText'])('a non-boolean %s logs one line naming it and falls back to true', (key) => {
  const lines: string[] = [];
  expect(resolveDbOptions({ [key]: 'no' }, recordingLogger(lines))[key as 'redis']).toBe(true);
  expect(lines).toEqual([`otelkit: db pack option ${key} must be true or false, got "no"; using true`]);
});

it('an unknown option logs one line naming it and the known ones', () => {
  const lines: string[] = [];
  resolveDbOptions({ pg: false }, recordingLogger(lines));
  expect(lines).toEqual(['otelkit: db pack option pg is unknown (known: postgresql, redis, queryText); ignored']);
});
