// PostgreSQL through `pg` (8.x): every query of a Client — pooled or not, promise, callback or submittable (pg-cursor,
// pg-query-stream) — gets `db.client.operation.duration` and a CLIENT span; COMMIT/ROLLBACK count transactions.
// `pg` publishes no diagnostics channel, so `Client.prototype.query` is wrapped (one function; clients created before
// or after share it). Unlike the upstream `@opentelemetry/instrumentation-pg` it builds no span attributes when the
// span is not recorded, parses a query text once (not per call) and reuses frozen metric attribute sets.
import { context, SpanKind, type Span } from '@opentelemetry/api';
import { errorClassName, isTracingSuppressed, PrototypePatch } from '@otelkit/node/kit';
import { statementOf, type Statement } from './statement.js';
import { endSpan, recording, Target, type DbRecording } from './target.js';

/** The parts of a pg `Client` the recorder reads. */
export interface PgClient {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
}

type QueryFunction = (this: PgClient, ...args: unknown[]) => unknown;

interface Submittable {
  text?: unknown;
  submit: unknown;
  handleError?: (...args: unknown[]) => unknown;
  handleReadyForQuery?: (...args: unknown[]) => unknown;
}

const TARGET: unique symbol = Symbol('otelkit.db.pg.target');
function targetOf(client: PgClient & { [TARGET]?: Target }): Target {
  let target = client[TARGET];
  if (target === undefined) {
    target = new Target('postgresql', client.host ?? 'localhost', client.port ?? 5432, client.database || undefined);
    client[TARGET] = target;
  }
  return target;
}

/** SQLSTATE (`23505`) for server errors, else the error class. */
function errorTypeOf(error: unknown): { type: string; code: string | undefined } {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return { type: code, code };
  return { type: errorClassName(error) ?? '_OTHER', code: undefined };
}

class Operation {
  private done = false;
  constructor(
    private readonly r: DbRecording,
    private readonly target: Target,
    private readonly statement: Statement,
    private readonly span: Span | undefined,
    private readonly start: number,
  ) {}

  finish(error: unknown, result: unknown): void {
    if (this.done) return;
    this.done = true;
    const { r, target, statement } = this;
    const seconds = (performance.now() - this.start) / 1000;
    const failed = error !== undefined && error !== null;
    const e = failed ? errorTypeOf(error) : undefined;
    r.duration.record(seconds, target.attributes(statement, statement.operation, statement.collection, e?.type));
    if (statement.ends !== undefined) {
      // COMMIT in a failed transaction succeeds with the command tag ROLLBACK; a refused COMMIT rolled back too.
      const tag = (result as { command?: unknown } | null | undefined)?.command;
      r.transactions.add(1, target.transaction(failed || tag === 'ROLLBACK' ? 'rollback' : statement.ends));
    }
    endSpan(this.span, e?.type, e?.code);
  }
}

function begin(r: DbRecording, client: PgClient, text: unknown): Operation {
  const target = targetOf(client);
  const statement = statementOf(typeof text === 'string' ? text : undefined);
  const parent = context.active();
  let span: Span | undefined;
  if (!isTracingSuppressed(parent)) {
    span = r.tracer.startSpan(target.spanName(statement.operation, statement.collection), { kind: SpanKind.CLIENT }, parent);
    if (span.isRecording()) {
      const attributes = target.spanAttributes(statement.operation, statement.collection);
      if (r.queryText && typeof text === 'string') attributes['db.query.text'] = text;
      span.setAttributes(attributes);
    }
  }
  return new Operation(r, target, statement, span, performance.now());
}

function isSubmittable(value: unknown): value is Submittable {
  return typeof value === 'object' && value !== null && typeof (value as { submit?: unknown }).submit === 'function';
}

function wrapQuery(original: QueryFunction): QueryFunction {
  return function query(this: PgClient, config: unknown, values?: unknown, callback?: unknown): unknown {
    // eslint-disable-next-line prefer-rest-params -- forwarding without copying the arguments
    const args = arguments as unknown as unknown[];
    const r = recording();
    if (r === undefined || config === null || config === undefined) return Reflect.apply(original, this, args);
    if (isSubmittable(config)) {
      // pg calls handleError and/or handleReadyForQuery on the active query; wrapping them on the instance observes
      // the end without adding an 'error' listener (which would change what an unhandled error does).
      const op = begin(r, this, config.text);
      const { handleError, handleReadyForQuery } = config;
      if (typeof handleError === 'function') {
        config.handleError = function (this: unknown, ...a: unknown[]): unknown {
          op.finish(a[0] ?? new Error('query failed'), undefined);
          return Reflect.apply(handleError, this, a);
        };
      }
      if (typeof handleReadyForQuery === 'function') {
        config.handleReadyForQuery = function (this: unknown, ...a: unknown[]): unknown {
          op.finish(undefined, undefined);
          return Reflect.apply(handleReadyForQuery, this, a);
        };
      }
      return Reflect.apply(original, this, args);
    }
    const text = typeof config === 'string' ? config : (config as { text?: unknown }).text;
    const at = typeof values === 'function' ? 1 : typeof callback === 'function' ? 2 : -1;
    if (at === -1 && typeof (config as { callback?: unknown }).callback === 'function') {
      // A query config carrying its own callback: pg keeps that object, so it is left alone (not measured).
      return Reflect.apply(original, this, args);
    }
    const op = begin(r, this, text);
    if (at !== -1) {
      const cb = args[at] as (error: unknown, result: unknown) => unknown;
      const parent = context.active();
      args[at] = (error: unknown, result: unknown): unknown => {
        op.finish(error, result);
        return context.with(parent, cb, undefined, error, result);
      };
      return Reflect.apply(original, this, args);
    }
    let result: unknown;
    try {
      result = Reflect.apply(original, this, args);
    } catch (error) {
      op.finish(error, undefined);
      throw error;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      // The handlers settle this derived promise, so it can never be an unhandled rejection; the app's own promise is
      // returned untouched.
      (result as PromiseLike<unknown>).then(
        (value) => op.finish(undefined, value),
        (error: unknown) => op.finish(error, undefined),
      );
    } else {
      op.finish(undefined, result);
    }
    return result;
  };
}

/** `query` of pg's Client prototype (`pg/lib/client.js`), wrapped by the pack. */
export const pgQueryPatch: PrototypePatch = new PrototypePatch('otelkit.db.pg.query', 'query', (original) => wrapQuery(original as QueryFunction) as never);
