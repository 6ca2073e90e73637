// Starts the bank: event store, projections, the fake external services, the HTTP API. Run it with
// `npm start` (which adds `--import @otelkit/node/register`); settings come from the environment:
//   PORT (3000, 0 = any free port)     DATABASE_URL (unset = in-memory store)
//   REDIS_URL (unset = no read cache)
//   FRAUD_FAILURE_SHARE (0.05)         FRAUD_DOWN (false)          NOTIFY_FAILURE_SHARE (0.05)
//   BREAKER_RESET_MS (10000)           EXTERNAL_PORT (0 = any free port)
//   FRAUD_LATENCY_MS (0)
import { createServer } from 'node:http';
import { CircuitState } from 'cockatiel';
import type { AddressInfo } from 'node:net';
import { createAccountCache } from './account-cache.ts';
import { createApi } from './api.ts';
import { Bank } from './bank.ts';
import { fraudCheckClient, notifierClient, startExternalServices } from './external.ts';
import { positionOf, Projector, ReadModels, type BankEvent } from './projections.ts';
import { createStore } from './store.ts';
import { checkpoint, instrumentBreaker, instrumentProjectionHandler, instrumentStore, projectionStopped } from './telemetry.ts';

function share(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    console.error(`bank: ${name}=${raw} is not a share between 0 and 1; using ${fallback}`);
    return fallback;
  }
  return value;
}

function millis(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    console.error(`bank: ${name}=${raw} is not a whole number of milliseconds from 0 to ${max}; using ${fallback}`);
    return fallback;
  }
  return value;
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : fallback;
}

const readModels = new ReadModels();
const accounts = await createAccountCache(process.env.REDIS_URL);
// The balance read model changed an account: its cached copy is dropped.
const balance = readModels.balanceProjection;
const cachedBalance = {
  name: balance.name,
  handle: (event: BankEvent): void | Promise<void> => {
    const done = balance.handle(event);
    accounts.invalidate(event.data.accountId);
    return done;
  },
};
const projector: Projector = new Projector(
  [cachedBalance, readModels.statementProjection].map((p) => ({
    name: p.name,
    handle: instrumentProjectionHandler(p.name, p.handle, { positionOf, headPosition: () => projector.head }),
  })),
  checkpoint,
);
const { store: rawStore, system, close: closeStore } = await createStore(projector, process.env.DATABASE_URL);
const store = instrumentStore(rawStore, system);

const external = await startExternalServices(
  {
    fraudFailureShare: share('FRAUD_FAILURE_SHARE', 0.05),
    fraudDown: process.env.FRAUD_DOWN === 'true',
    notifyFailureShare: share('NOTIFY_FAILURE_SHARE', 0.05),
    // Below the fraud-check breaker's 1 s timeout, so a slow check is still an answer.
    fraudLatencyMs: millis('FRAUD_LATENCY_MS', 0, 900),
  },
  int('EXTERNAL_PORT', 0),
);
const fraud = fraudCheckClient(external.url, { resetTimeoutMs: int('BREAKER_RESET_MS', 10_000) });
const notifier = notifierClient(external.url, (breaker) => instrumentBreaker(breaker, 'notifications'));
const bank = new Bank(store, fraud, notifier);

const api = createApi({
  bank,
  readModels,
  accounts,
  projector,
  external: external.settings,
  status: () => ({
    store: system,
    cache: accounts.kind,
    projections: projector.status(),
    breakers: {
      'fraud-check': fraud.breaker.opened ? 'open' : fraud.breaker.halfOpen ? 'half_open' : 'closed',
      notifications: CircuitState[notifier.breaker.state].toLowerCase(),
    },
    notifications: notifier.stats,
    external: external.settings,
  }),
});
const server = createServer(api);
await new Promise<void>((resolve) => server.listen(int('PORT', 3000), '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const metricsHost = process.env.OTEL_EXPORTER_PROMETHEUS_HOST ?? 'localhost';
const metricsPort = process.env.OTEL_EXPORTER_PROMETHEUS_PORT ?? '9464';
console.log(`bank: API on http://127.0.0.1:${port} (store: ${system}; account cache: ${accounts.kind}; fake external services on ${external.url})`);
console.log(`bank: metrics on http://${metricsHost}:${metricsPort}/metrics (when started with --import @otelkit/node/register)`);
console.log(`bank: try  curl -s -XPOST localhost:${port}/accounts -d '{"owner":"ada"}'`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fraud.breaker.shutdown();
  await Promise.all([external.close(), projector.idle()]);
  for (const { name } of projector.status()) projectionStopped(name);
  await closeStore();
  await accounts.close();
  // Nothing of ours keeps the loop alive now: the process ends on its own, and otelkit flushes on `beforeExit`.
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
