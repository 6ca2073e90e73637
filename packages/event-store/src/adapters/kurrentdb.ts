import type { InstrumentationBase } from '@otelkit/node/instrumentation';
import { instrumentEventStore, OPERATION_WRAPPER } from '../instrument.js';
import { runOperation, storeState } from '../operation.js';
import type { InstrumentEventStoreOptions } from '../types.js';

/**
 * Instruments a `KurrentDBClient` (`@kurrent/kurrentdb-client`): `appendToStream` as `append`, `readStream` as
 * `read` (the returned stream is counted as the app iterates it). Appends write W3C `traceparent` plus KurrentDB's
 * `$traceId`/`$spanId` into each JSON event's metadata. When `@kurrent/opentelemetry` (or any OpenTelemetry
 * instrumentation) already wrapped these methods, no second span is made (`spans: 'auto'`).
 */
export function instrumentKurrentDBClient<C extends object>(client: C, options: Partial<InstrumentEventStoreOptions> = {}): C {
  return instrumentEventStore(client, {
    operations: { appendToStream: 'append', readStream: 'read' },
    ...options,
    system: options.system ?? 'kurrentdb',
  });
}

type Method = (...args: unknown[]) => unknown;
const ORIGINAL: unique symbol = Symbol.for('otelkit.eventstore.kurrentdb.original');

/**
 * Patches the KurrentDB client class itself (`Client.prototype.appendToStream` / `readStream`), so every client the
 * app creates is measured without wrapping. The pack does this through the module hook core registers when the app
 * loads `@kurrent/kurrentdb-client`. Returns the undo function. Idempotent; a client also wrapped with
 * {@link instrumentKurrentDBClient} is still recorded once per call.
 */
export function patchKurrentDBClient(Client: { prototype: object }, options: Partial<InstrumentEventStoreOptions> = {}): () => void {
  const proto = Client.prototype as Record<string, unknown>;
  const state = storeState({ operations: { appendToStream: 'append', readStream: 'read' }, ...options, system: options.system ?? 'kurrentdb' });
  const undo: (() => void)[] = [];
  for (const [key, op] of [['appendToStream', 'append'], ['readStream', 'read']] as const) {
    const original = proto[key];
    if (typeof original !== 'function' || (original as { [OPERATION_WRAPPER]?: boolean })[OPERATION_WRAPPER] === true) continue;
    const a = state.attrs.get(op);
    if (a === undefined) continue;
    const wrapper = Object.assign(
      function kurrentOperation(this: object, ...args: unknown[]): unknown {
        return runOperation(state, a, original as Method, this, args);
      },
      { [OPERATION_WRAPPER]: true, [ORIGINAL]: original },
    );
    proto[key] = wrapper;
    undo.push(() => {
      if (proto[key] === wrapper) proto[key] = original;
    });
  }
  return () => {
    for (const u of undo) u();
  };
}

/** The `@kurrent/kurrentdb-client` instrumentation the pack registers; loaded lazily. */
export async function createKurrentDBInstrumentation(): Promise<InstrumentationBase> {
  const { InstrumentationBase: Base, InstrumentationNodeModuleDefinition } = await import('@otelkit/node/instrumentation');
  let undo: (() => void) | undefined;
  const patch = (exports: { KurrentDBClient?: { prototype: object } }): unknown => {
    if (exports.KurrentDBClient !== undefined && undo === undefined) undo = patchKurrentDBClient(exports.KurrentDBClient);
    return exports;
  };
  const unpatch = (): void => {
    undo?.();
    undo = undefined;
  };
  class KurrentDBInstrumentation extends Base {
    constructor() {
      super('@otelkit/event-store/kurrentdb', '0.1.0', { enabled: false });
    }
    protected override init(): InstanceType<typeof InstrumentationNodeModuleDefinition> {
      return new InstrumentationNodeModuleDefinition('@kurrent/kurrentdb-client', ['>=1 <2'], patch, unpatch);
    }
  }
  return new KurrentDBInstrumentation();
}
