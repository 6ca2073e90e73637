// The db pack set up on an in-memory SDK, as core would set it up, for the tests against real servers.
import { metrics, trace, type Attributes } from '@opentelemetry/api';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import type { PackHandle } from '@otelkit/node';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import pack from '../pack.js';

export interface PackUnderTest {
  readonly t: Telemetry;
  /** Registers the global providers (core does before packs) and sets the pack up. */
  start(): Promise<void>;
  /** Disposes the pack (its patches and subscriptions go); `start()` sets it up again. */
  stop(): Promise<void>;
  /** Disposes the pack and shuts the SDK down. */
  close(): Promise<void>;
  /** The count of `db.client.operation.duration` for exactly these attributes (0 when there is no such series). */
  operations(attributes: Attributes): Promise<number>;
}

export function packUnderTest(): PackUnderTest {
  const t = createTelemetry({ scope: '@otelkit/db' });
  let handle: PackHandle | void;
  const stop = async (): Promise<void> => {
    await handle?.dispose();
    handle = undefined;
  };
  return {
    t,
    async start() {
      metrics.setGlobalMeterProvider(t.meterProvider);
      trace.setGlobalTracerProvider(t.tracerProvider);
      handle = await pack.setup(t.ctx());
    },
    stop,
    async close() {
      await stop();
      await t.shutdown();
      metrics.disable();
      trace.disable();
    },
    async operations(attributes) {
      return ((await t.point('db.client.operation.duration', attributes)) as DataPoint<Histogram> | undefined)?.value.count ?? 0;
    },
  };
}
