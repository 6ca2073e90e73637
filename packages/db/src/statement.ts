// The bounded description of an SQL statement that metrics carry: its first keyword and the table it names first.
// Computed once per distinct query text (apps send a fixed set of parameterised statements) and kept in a bounded
// map; past the bound each statement is parsed again, which allocates but keeps memory flat.

/** What metrics say of one SQL text. */
export interface Statement {
  /** `SELECT`, `INSERT`, … or `_OTHER` for a text that starts with no known keyword. */
  readonly operation: string;
  readonly collection: string | undefined;
  /** A transaction end: `commit` for COMMIT/END, `rollback` for ROLLBACK/ABORT (not `ROLLBACK TO SAVEPOINT`). */
  readonly ends: 'commit' | 'rollback' | undefined;
}

// PostgreSQL's statement keywords; anything else (a typo, a comment-only text) is `_OTHER`, so the label stays bounded.
const OPERATIONS: ReadonlySet<string> = new Set([
  'ABORT', 'ALTER', 'ANALYZE', 'BEGIN', 'CALL', 'CHECKPOINT', 'CLOSE', 'CLUSTER', 'COMMENT', 'COMMIT', 'COPY', 'CREATE',
  'DEALLOCATE', 'DECLARE', 'DELETE', 'DISCARD', 'DO', 'DROP', 'END', 'EXECUTE', 'EXPLAIN', 'FETCH', 'GRANT', 'IMPORT',
  'INSERT', 'LISTEN', 'LOAD', 'LOCK', 'MERGE', 'MOVE', 'NOTIFY', 'PREPARE', 'REASSIGN', 'REFRESH', 'REINDEX', 'RELEASE',
  'RESET', 'REVOKE', 'ROLLBACK', 'SAVEPOINT', 'SECURITY', 'SELECT', 'SET', 'SHOW', 'START', 'TABLE', 'TRUNCATE',
  'UNLISTEN', 'UPDATE', 'VACUUM', 'VALUES', 'WITH',
]);

const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*([A-Za-z]+)/;
const IDENT = String.raw`((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))?)`;
const TABLE_AFTER: Readonly<Record<string, RegExp>> = {
  SELECT: new RegExp(String.raw`\bFROM\s+(?:ONLY\s+)?${IDENT}`, 'i'),
  DELETE: new RegExp(String.raw`^\s*DELETE\s+FROM\s+(?:ONLY\s+)?${IDENT}`, 'i'),
  INSERT: new RegExp(String.raw`^\s*INSERT\s+INTO\s+${IDENT}`, 'i'),
  UPDATE: new RegExp(String.raw`^\s*UPDATE\s+(?:ONLY\s+)?${IDENT}`, 'i'),
};
const ROLLBACK_TO = /^\s*ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\b/i;
const LIMIT = 1000;

const known = new Map<string, Statement>();
const OTHER: Statement = Object.freeze({ operation: '_OTHER', collection: undefined, ends: undefined });

function parse(text: string): Statement {
  const word = LEADING.exec(text)?.[1]?.toUpperCase();
  if (word === undefined || !OPERATIONS.has(word)) return OTHER;
  const table = TABLE_AFTER[word]?.exec(text)?.[1];
  const collection = table === undefined ? undefined : table.replace(/"|\s+/g, '');
  let ends: Statement['ends'];
  if (word === 'COMMIT' || word === 'END') ends = 'commit';
  else if ((word === 'ROLLBACK' && !ROLLBACK_TO.test(text)) || word === 'ABORT') ends = 'rollback';
  return Object.freeze({ operation: word, collection, ends });
}

/** The statement of an SQL text; the same object for the same text while fewer than 1000 texts have been seen. */
export function statementOf(text: string | undefined): Statement {
  if (typeof text !== 'string') return OTHER;
  const cached = known.get(text);
  if (cached !== undefined) return cached;
  const statement = parse(text);
  if (known.size < LIMIT) known.set(text, statement);
  return statement;
}
