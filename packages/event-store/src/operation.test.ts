import { expect, it } from 'vitest';
import { MAX_ERROR_TYPES, OperationAttributes } from './operation.js';

it('keeps at most 100 failure attribute sets per operation; later error types share error.type=_OTHER', () => {
  const append = new OperationAttributes('postgresql', 'append');
  const made = new Set<unknown>();
  // error.type is an error class name from the app or its driver: unbounded in principle
  for (let i = 0; i < 10_000; i++) made.add(append.failure('failure', `DriverError${i}`));
  expect(made.size).toBe(MAX_ERROR_TYPES + 1);
  expect(append.failure('failure', 'DriverError9999')).toEqual({
    'eventstore.system': 'postgresql',
    'eventstore.operation': 'append',
    'eventstore.outcome': 'failure',
    'error.type': '_OTHER',
  });
  expect(append.failure('failure', 'DriverError3')['error.type']).toBe('DriverError3');
});
