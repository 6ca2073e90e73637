import { runCommand, recordRetry } from '../instrument.js';
import { classifyCommandError } from '../classify.js';
import type { CommandCallOptions } from '../types.js';

/** Emmett's `CommandHandler(...)` / `DeciderCommandHandler(...)` result: `(store, id, handle|commands, options?)`. */
type EmmettHandler = (store: never, id: string, ...rest: never[]) => Promise<unknown>;

/** How the adapter names the command: a fixed type, or derived from the call's arguments. */
export type EmmettCommandType<H extends EmmettHandler> = string | ((...args: Parameters<H>) => string);

function typeFromCommands(commands: unknown): string | undefined {
  const first = Array.isArray(commands) ? (commands[0] as unknown) : commands;
  if (typeof first === 'object' && first !== null) {
    const type = (first as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

// Emmett retries a whole handle call (read, decide, append) on a version conflict; every aggregateStream after the
// first in one call is a retry, and the error the previous attempt's append threw says why. Stores that open
// sessions (Emmett's PostgreSQL store) are read through `session.eventStore`, which is watched the same way.
interface Attempts {
  reads: number;
  lastError: unknown;
}

function countingStore(store: object, type: string, attempts: Attempts = { reads: 0, lastError: undefined }): object {
  return new Proxy(store, {
    get(target, key): unknown {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'aggregateStream') {
        return function aggregateStream(...args: unknown[]): unknown {
          if (attempts.reads++ > 0) recordRetry(type, classifyCommandError(attempts.lastError) === 'conflict' ? 'conflict' : 'transient');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (key === 'appendToStream') {
        return async function appendToStream(...args: unknown[]): Promise<unknown> {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (error) {
            attempts.lastError = error;
            throw error;
          }
        };
      }
      if (key === 'withSession') {
        return function withSession(callback: (session: unknown) => unknown): unknown {
          return (value as (cb: (session: unknown) => unknown) => unknown).call(target, (session: unknown) => {
            const s = session as { eventStore?: unknown } | null;
            const inner = typeof s?.eventStore === 'object' && s.eventStore !== null ? countingStore(s.eventStore, type, attempts) : undefined;
            return callback(inner === undefined ? session : { ...s, eventStore: inner });
          });
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/**
 * Wraps an Emmett command handler (`CommandHandler(...)` or `DeciderCommandHandler(...)`) so that each call is a
 * recorded command. `type` defaults to the `type` of the (first) command passed to a decider handler. Retries that
 * Emmett makes on version conflicts are counted in `command.retries`. The stream id goes on the span as
 * `aggregate.id`.
 */
export function instrumentEmmettCommandHandler<H extends EmmettHandler>(handler: H, type?: EmmettCommandType<H>, options?: Omit<CommandCallOptions, 'attributes'>): H {
  const wrapped = function emmettCommand(this: unknown, store: object, id: string, ...rest: unknown[]): Promise<unknown> {
    const args = [store, id, ...rest] as unknown as Parameters<H>;
    const commandType = typeof type === 'function' ? type(...args) : (type ?? typeFromCommands(rest[0]) ?? 'unknown');
    const call: CommandCallOptions = { ...options, attributes: { 'aggregate.id': id } };
    return runCommand(commandType, handler as unknown as (...a: unknown[]) => Promise<unknown>, this, [countingStore(store, commandType), id, ...rest], call);
  };
  return wrapped as unknown as H;
}
