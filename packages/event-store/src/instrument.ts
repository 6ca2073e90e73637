import { storeState, DEFAULT_OPERATIONS, runOperation, type OperationAttributes } from './operation.js';
import type { InstrumentEventStoreOptions } from './types.js';

export { bindEventStore, configureEventStore } from './binding.js';

const INSTRUMENTED: unique symbol = Symbol.for('otelkit.eventstore.instrumented');

/** Marks a method otelkit already instruments (a patched prototype), so a wrapper passes it through. */
export const OPERATION_WRAPPER: unique symbol = Symbol.for('otelkit.eventstore.operation');

/**
 * Returns `store` instrumented: each operation method (`appendToStream`, `readStream`, `aggregateStream`,
 * `streamExists` by default) records `eventstore.operation.duration` by outcome, event counts and batch sizes,
 * runs in a CLIENT span `eventstore <operation>` with the stream name, and appends write the producing span's
 * trace context into every event's metadata. Other members pass through. Instrumenting twice is a no-op.
 */
export function instrumentEventStore<S extends object>(store: S, options: InstrumentEventStoreOptions): S {
  if ((store as { [INSTRUMENTED]?: boolean })[INSTRUMENTED] === true) return store;
  const operations = options.operations ?? DEFAULT_OPERATIONS;
  const state = storeState(options);
  const attrs = state.attrs;
  const wrappers = new Map<PropertyKey, { readonly original: unknown; readonly wrapper: unknown }>();
  return new Proxy(store, {
    get(target, key, receiver): unknown {
      if (key === INSTRUMENTED) return true;
      // Getters run against the real store: private fields (#x) are not reachable through the proxy.
      const value: unknown = Reflect.get(target, key, target);
      const op = typeof key === 'string' && Object.hasOwn(operations, key) ? operations[key] : undefined;
      if (typeof value !== 'function' || key === 'constructor') return value;
      const cached = wrappers.get(key);
      if (cached !== undefined && cached.original === value) return cached.wrapper;
      if (key === 'withSession' && op === undefined) {
        // Emmett's EventStoreSessionFactory: command handlers run against `session.eventStore`, a different object
        // (the PostgreSQL store's transaction-bound store); instrument it the same way.
        const original = value as (callback: (session: unknown) => unknown) => unknown;
        const withSession = function withSession(this: unknown, callback: (session: unknown) => unknown): unknown {
          return original.call(target, (session: unknown) => {
            const s = session as { eventStore?: unknown };
            const inner = typeof s === 'object' && s !== null && typeof s.eventStore === 'object' && s.eventStore !== null ? instrumentEventStore(s.eventStore, options) : undefined;
            return callback(inner === undefined ? session : { ...s, eventStore: inner });
          });
        };
        wrappers.set(key, { original: value, wrapper: withSession });
        return withSession;
      }
      // Already measured by a patched prototype (the KurrentDB hook): one recording per call, not two.
      if (op === undefined || (value as { [OPERATION_WRAPPER]?: boolean })[OPERATION_WRAPPER] === true) {
        // Other methods run against the real store too, so private fields (#x) keep working behind the proxy.
        const bound: unknown = (value as (...args: unknown[]) => unknown).bind(target);
        wrappers.set(key, { original: value, wrapper: bound });
        return bound;
      }
      const a = attrs.get(op) as OperationAttributes;
      const method = value as (...args: unknown[]) => unknown;
      const wrapper = function instrumentedOperation(this: unknown, ...args: unknown[]): unknown {
        // Call with the real store as `this`: private fields keep working and internal calls (an in-memory
        // aggregateStream calling this.readStream) are not counted twice.
        return runOperation(state, a, method, this === receiver || this === undefined ? target : (this as object), args);
      };
      wrappers.set(key, { original: value, wrapper });
      return wrapper;
    },
  });
}
