import { describe, expect, it } from 'vitest';
import { ConcurrencyError, ExpectedVersionConflictError, IllegalStateError, ValidationError } from '@event-driven-io/emmett';
import { CommandHandlerNotFoundException } from '@nestjs/cqrs';
import { classifyCommandError } from './classify.js';

describe('classifyCommandError', () => {
  it.each([
    ['Emmett ValidationError', new ValidationError('bad'), 'rejected'],
    ['Emmett IllegalStateError', new IllegalStateError('closed'), 'rejected'],
    ['Emmett ExpectedVersionConflictError', new ExpectedVersionConflictError(1n, 2n), 'conflict'],
    ['Emmett ConcurrencyError', new ConcurrencyError('1', '2'), 'conflict'],
    ['Nest missing handler', new CommandHandlerNotFoundException('X'), 'failure'],
    ['HTTP 409', Object.assign(new Error('dup'), { status: 409 }), 'conflict'],
    ['HTTP 422', Object.assign(new Error('nope'), { statusCode: 422 }), 'rejected'],
    ['plain Error', new Error('db down'), 'failure'],
    ['a thrown string', 'oops', 'failure'],
    ['named object', { name: 'AccountNotFound' }, 'rejected'],
  ])('%s → %s', (_label, error, outcome) => {
    expect(classifyCommandError(error)).toBe(outcome);
  });
});
