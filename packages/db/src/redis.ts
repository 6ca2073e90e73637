// Redis from the clients' own tracing channels, with nothing patched: ioredis 6 publishes `ioredis:command`, node-redis
// (`redis`/`@redis/client`) 6 publishes `node-redis:command`, both as TracingChannel#tracePromise (start, end,
// asyncStart, asyncEnd, error). The context object a client publishes is the same across one command's events, so
// the span and start time ride on it. A command's duration is start to asyncEnd (the reply or the error).
import { tracingChannel, type TracingChannelSubscribers } from 'node:diagnostics_channel';
import { context, SpanKind, type Span } from '@opentelemetry/api';
import { errorClassName, isTracingSuppressed } from '@otelkit/node/kit';
import { endSpan, recording, Target } from './target.js';

/** The command context both clients publish (ioredis: lower-case `command`, args already redacted). */
interface CommandContext {
  command?: unknown;
  args?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  error?: unknown;
  [STATE]?: Pending | undefined;
}

interface Pending {
  readonly target: Target;
  readonly operation: string;
  readonly span: Span | undefined;
  readonly start: number;
}

const STATE: unique symbol = Symbol('otelkit.db.redis');

/** The channels the pack subscribes to, by client. */
export const REDIS_CHANNELS: readonly string[] = ['ioredis:command', 'node-redis:command'];

// Commands are a closed set per server version, but `sendCommand(['ANYTHING'])` is not: past 512 names, `_OTHER`.
const names = new Map<string, string>();
function operationOf(command: unknown): string {
  if (typeof command !== 'string' || command === '') return '_OTHER';
  const found = names.get(command);
  if (found !== undefined) return found;
  if (names.size >= 512) return '_OTHER';
  const upper = command.toUpperCase();
  names.set(command, upper);
  return upper;
}

// Targets by address, port and database index (nested maps: no key string built per command); a handful per app.
const targets = new Map<unknown, Map<unknown, Map<unknown, Target>>>();
let targetCount = 0;
function targetOf(address: unknown, port: unknown, database: unknown): Target {
  const found = targets.get(address)?.get(port)?.get(database);
  if (found !== undefined) return found;
  const target = new Target('redis', typeof address === 'string' && address !== '' ? address : 'localhost', typeof port === 'number' ? port : undefined, typeof database === 'number' ? String(database) : undefined);
  if (targetCount < 256) {
    targetCount++;
    let byPort = targets.get(address);
    if (byPort === undefined) targets.set(address, (byPort = new Map()));
    let byDatabase = byPort.get(port);
    if (byDatabase === undefined) byPort.set(port, (byDatabase = new Map()));
    byDatabase.set(database, target);
  }
  return target;
}

// The clients' reply errors share one class under several names (ioredis 6: class SimpleError, name ReplyError): the
// name is what users know; the class is the fallback when the name says only `Error`.
function errorTypeOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  return errorClassName(error) ?? '_OTHER';
}

function start(message: unknown): void {
  const r = recording();
  if (r === undefined) return;
  const ctx = message as CommandContext;
  const target = targetOf(ctx.serverAddress, ctx.serverPort, ctx.database);
  const operation = operationOf(ctx.command);
  const parent = context.active();
  let span: Span | undefined;
  if (!isTracingSuppressed(parent)) {
    span = r.tracer.startSpan(operation, { kind: SpanKind.CLIENT }, parent);
    if (span.isRecording()) {
      const attributes = target.spanAttributes(operation, undefined);
      if (r.queryText && Array.isArray(ctx.args)) attributes['db.query.text'] = [operation, ...(ctx.args as unknown[]).map(String)].join(' ');
      span.setAttributes(attributes);
    }
  }
  ctx[STATE] = { target, operation, span, start: performance.now() };
}

function finish(ctx: CommandContext): void {
  const pending = ctx[STATE];
  if (pending === undefined) return;
  ctx[STATE] = undefined;
  const r = recording();
  const failed = ctx.error !== undefined;
  const errorType = failed ? errorTypeOf(ctx.error) : undefined;
  r?.duration.record((performance.now() - pending.start) / 1000, pending.target.attributes(pending.operation, pending.operation, undefined, errorType));
  endSpan(pending.span, errorType, undefined);
}

// `end` follows the synchronous part: it finishes only a command that threw synchronously (then no asyncEnd comes).
const subscribers: TracingChannelSubscribers<object> = {
  start,
  end: (message) => {
    if ((message as CommandContext).error !== undefined) finish(message as CommandContext);
  },
  asyncStart: () => undefined,
  asyncEnd: (message) => finish(message as CommandContext),
  error: () => undefined,
};

/** Subscribes to both clients' command channels; returns what unsubscribes. */
export function recordRedis(): () => void {
  const channels = REDIS_CHANNELS.map((name) => tracingChannel(name));
  for (const channel of channels) channel.subscribe(subscribers);
  return () => {
    for (const channel of channels) channel.unsubscribe(subscribers);
  };
}
