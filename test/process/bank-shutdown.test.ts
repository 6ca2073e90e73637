// Stopping the bank (SIGTERM after load; its own handler closes the server, the breakers and the store and marks the
// projections stopped while otelkit's final export waits on a collector that never answers) prints no SDK
// warning, in particular not "A shutdown MeterProvider cannot provide a Meter". What caused that line (a pack's
// late binding asking the provider being shut down for a meter) is reproduced exactly in late-binding.test.ts;
// this run guards the whole app.
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runLoad, startBank } from '../../examples/bank/test/run-bank.ts';

/** A collector that accepts connections and never answers: the final export takes its whole timeout. */
async function silentCollector(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('bank shutdown', () => {
  it('prints no [otel warn] line, and nothing about a shutdown MeterProvider', async () => {
    const collector = await silentCollector();
    // The bank's own SIGTERM handler records projection states while otelkit's final metric export is in flight.
    const bank = await startBank({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        OTEL_METRIC_EXPORT_INTERVAL: '60000',
        FRAUD_FAILURE_SHARE: '0',
        NOTIFY_FAILURE_SHARE: '0',
      },
    });
    try {
      const load = runLoad(bank.url, { rate: 50, duration: 3 });
      await load;
      const exit = await bank.stop();
      expect(exit, bank.stderr()).toEqual({ code: 0, signal: null });
      expect(bank.stderr()).not.toContain('A shutdown MeterProvider cannot provide a Meter');
      expect(bank.stderr()).not.toMatch(/\[otel (warn|error)\]/);
    } finally {
      await bank.stop();
      await collector.close();
    }
  });
});
