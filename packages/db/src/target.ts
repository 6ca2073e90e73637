import { SpanStatusCode, type Attributes, type Counter, type Histogram, type Span, type Tracer } from '@opentelemetry/api';
import type { TransactionOutcome } from './catalog.js';

/** What the pg and Redis recorders record into while the pack is set up. */
export interface DbRecording {
  readonly tracer: Tracer;
  readonly duration: Histogram;
  readonly transactions: Counter;
  /** Put `db.query.text` on spans (never on metrics). */
  readonly queryText: boolean;
}

let active: DbRecording | undefined;

/** Set by the pack's setup, cleared by its dispose; the recorders do nothing while it is undefined. */
export function useRecording(recording: DbRecording | undefined): void {
  active = recording;
}

export function recording(): DbRecording | undefined {
  return active;
}

// Past this many distinct (operation, collection) sets per server the sets are built per call: memory stays flat
// when an app sends unbounded statement shapes, and the SDK's cardinality limit folds the series.
const LIMIT = 2000;

/**
 * One server (system, address, port, namespace) as metrics see it. Attribute sets are built once per operation,
 * frozen and reused, so recording an operation allocates nothing once its set exists.
 */
export class Target {
  readonly system: 'postgresql' | 'redis';
  readonly address: string;
  readonly port: number | undefined;
  readonly namespace: string | undefined;
  private readonly ok = new Map<unknown, Attributes>();
  private readonly failed = new Map<string, Attributes>();
  private transactionSets: Readonly<Record<TransactionOutcome, Attributes>> | undefined;

  constructor(system: 'postgresql' | 'redis', address: string, port: number | undefined, namespace: string | undefined) {
    this.system = system;
    this.address = address;
    this.port = port;
    this.namespace = namespace;
  }

  /** The metric attributes of an operation; `key` identifies (operation, collection) for the cache. */
  attributes(key: unknown, operation: string, collection: string | undefined, errorType: string | undefined): Attributes {
    if (errorType === undefined) {
      const found = this.ok.get(key);
      if (found !== undefined) return found;
      const made = this.build(operation, collection, undefined);
      if (this.ok.size < LIMIT) this.ok.set(key, made);
      return made;
    }
    const id = `${operation} ${collection ?? ''} ${errorType}`;
    const found = this.failed.get(id);
    if (found !== undefined) return found;
    const made = this.build(operation, collection, errorType);
    if (this.failed.size < LIMIT) this.failed.set(id, made);
    return made;
  }

  transaction(outcome: TransactionOutcome): Attributes {
    const make = (o: TransactionOutcome): Attributes =>
      Object.freeze(this.namespace === undefined ? { 'db.system.name': this.system, 'db.transaction.outcome': o } : { 'db.system.name': this.system, 'db.namespace': this.namespace, 'db.transaction.outcome': o });
    this.transactionSets ??= { commit: make('commit'), rollback: make('rollback') };
    return this.transactionSets[outcome];
  }

  /** Span attributes of an operation (built per span: spans own their attributes). */
  spanAttributes(operation: string, collection: string | undefined): Attributes {
    const a: Attributes = { 'db.system.name': this.system, 'db.operation.name': operation, 'server.address': this.address };
    if (this.port !== undefined) a['server.port'] = this.port;
    if (this.namespace !== undefined) a['db.namespace'] = this.namespace;
    if (collection !== undefined) a['db.collection.name'] = collection;
    return a;
  }

  /** `<operation> <collection or namespace>`, the span name the conventions ask for. */
  spanName(operation: string, collection: string | undefined): string {
    const target = collection ?? this.namespace;
    return target === undefined ? operation : `${operation} ${target}`;
  }

  private build(operation: string, collection: string | undefined, errorType: string | undefined): Attributes {
    const a = this.spanAttributes(operation, collection);
    if (errorType !== undefined) a['error.type'] = errorType;
    return Object.freeze(a);
  }
}

/** Ends an operation's span with the conventions' error attributes. */
export function endSpan(span: Span | undefined, errorType: string | undefined, statusCode: string | undefined): void {
  if (span === undefined) return;
  if (errorType !== undefined) {
    span.setAttribute('error.type', errorType);
    if (statusCode !== undefined) span.setAttribute('db.response.status_code', statusCode);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
