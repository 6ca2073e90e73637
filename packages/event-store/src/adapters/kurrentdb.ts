import { instrumentEventStore } from '../instrument.js';
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
