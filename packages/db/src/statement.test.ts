import { expect, it } from 'vitest';
import { statementOf } from './statement.js';

it.each([
  ['SELECT balance FROM accounts WHERE id = $1', 'SELECT', 'accounts', undefined],
  ['  -- a comment\n/* block */ select * from public."Events" e', 'SELECT', 'public.Events', undefined],
  ['INSERT INTO emt_messages (a) VALUES ($1)', 'INSERT', 'emt_messages', undefined],
  ['UPDATE ONLY accounts SET balance = 1', 'UPDATE', 'accounts', undefined],
  ['DELETE FROM sessions WHERE expires < now()', 'DELETE', 'sessions', undefined],
  ['WITH x AS (SELECT 1) SELECT * FROM x', 'WITH', undefined, undefined],
  ['SELECT 1', 'SELECT', undefined, undefined],
  ['COMMIT', 'COMMIT', undefined, 'commit'],
  ['end', 'END', undefined, 'commit'],
  ['ROLLBACK', 'ROLLBACK', undefined, 'rollback'],
  ['ABORT', 'ABORT', undefined, 'rollback'],
  ['ROLLBACK TO SAVEPOINT s1', 'ROLLBACK', undefined, undefined],
  ['SELEC 1', '_OTHER', undefined, undefined],
  ['', '_OTHER', undefined, undefined],
])('%j → %s %s', (text, operation, collection, ends) => {
  expect(statementOf(text)).toEqual({ operation, collection, ends });
});

it('keeps one object per text, and a non-string is _OTHER', () => {
  expect(statementOf('SELECT 2')).toBe(statementOf('SELECT 2'));
  expect(statementOf(undefined).operation).toBe('_OTHER');
});
