// Two "external" services the bank depends on, served by the bank itself on another loopback port so the example
// needs nothing else: a fraud check (called through an opossum breaker) and a notification sender (called through
// a cockatiel retry + breaker + timeout policy). Both fail a configurable share of calls; the fraud check can be
// forced down so its breaker opens.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import CircuitBreaker from 'opossum';
import {
  ConsecutiveBreaker, ExponentialBackoff, TimeoutStrategy, circuitBreaker, handleAll, retry, timeout, wrap,
  type CircuitBreakerPolicy, type IPolicy,
} from 'cockatiel';
import FindMyWay from 'find-my-way';

export interface ExternalSettings {
  /** Share (0..1) of fraud checks that fail with 503. */
  fraudFailureShare: number;
  /** When true every fraud check fails, so the breaker opens. */
  fraudDown: boolean;
  /** Share (0..1) of notifications that fail with 503. */
  notifyFailureShare: number;
  /** How long the fraud check takes to answer, in ms (slow transfers, e.g. for tail sampling's latency policy). */
  fraudLatencyMs?: number;
}

export interface ExternalServices {
  readonly url: string;
  readonly settings: ExternalSettings;
  close(): Promise<void>;
}

/** Transfers above this many cents are declined by the fraud check. */
export const FRAUD_DECLINE_ABOVE = 1_000_000;

export async function startExternalServices(settings: ExternalSettings, port = 0): Promise<ExternalServices> {
  const router = FindMyWay({ defaultRoute: (_req, res) => { res.statusCode = 404; res.end(); } });
  const fail = (res: ServerResponse): void => {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"service unavailable"}');
  };
  router.on('POST', '/fraud-check', (req, res) => {
    void readJson(req).then(async (body) => {
      if ((settings.fraudLatencyMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, settings.fraudLatencyMs));
      if (settings.fraudDown || Math.random() < settings.fraudFailureShare) return fail(res);
      const amount = typeof body.amount === 'number' ? body.amount : Number.NaN;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ approved: amount <= FRAUD_DECLINE_ABOVE }));
    });
  });
  router.on('POST', '/notify', (req, res) => {
    void readJson(req).then(() => {
      if (Math.random() < settings.notifyFailureShare) return fail(res);
      res.writeHead(204).end();
    });
  });
  const server: Server = createServer((req, res) => router.lookup(req, res));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    settings,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function readJson(req: AsyncIterable<Buffer | string>): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk.toString();
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export type FraudVerdict = 'approved' | 'declined' | 'unchecked';

export interface FraudCheck {
  readonly breaker: CircuitBreaker<[number], FraudVerdict>;
  check(amount: number): Promise<FraudVerdict>;
}

/**
 * The fraud check behind an opossum breaker named `fraud-check`. When the service fails or the breaker is open the
 * fallback answers `unchecked`, and the caller lets small transfers through (fail-open below a limit).
 */
export function fraudCheckClient(baseUrl: string, options: { resetTimeoutMs: number }): FraudCheck {
  const call = async (amount: number): Promise<FraudVerdict> => {
    const res = await fetch(`${baseUrl}/fraud-check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount }),
      signal: AbortSignal.timeout(2_000),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`fraud check answered ${res.status}`);
    }
    const body = (await res.json()) as { approved?: unknown };
    return body.approved === true ? 'approved' : 'declined';
  };
  const breaker = new CircuitBreaker<[number], FraudVerdict>(call, {
    name: 'fraud-check',
    timeout: 1_000,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    resetTimeout: options.resetTimeoutMs,
    rollingCountTimeout: 10_000,
  });
  breaker.fallback((): FraudVerdict => 'unchecked');
  return { breaker, check: (amount) => breaker.fire(amount) };
}

export interface Notifier {
  /** The cockatiel circuit breaker inside the policy (what the circuit-breakers pack instruments). */
  readonly breaker: CircuitBreakerPolicy;
  readonly stats: { sent: number; failed: number };
  /** Fire and forget: a failed notification never fails the command that caused it. */
  notify(message: { accountId: string; text: string }): void;
}

export function notifierClient(baseUrl: string, instrument: (breaker: CircuitBreakerPolicy) => CircuitBreakerPolicy = (b) => b): Notifier {
  const breaker = instrument(circuitBreaker(handleAll, { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(5) }));
  const policy: IPolicy = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: 200 }) }),
    breaker,
    timeout(1_000, TimeoutStrategy.Aggressive),
  );
  const stats = { sent: 0, failed: 0 };
  return {
    breaker,
    stats,
    notify(message) {
      policy
        .execute(async ({ signal }) => {
          const res = await fetch(`${baseUrl}/notify`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(message),
            signal,
          });
          await res.body?.cancel();
          if (!res.ok) throw new Error(`notify answered ${res.status}`);
        })
        .then(() => { stats.sent++; }, () => { stats.failed++; });
    },
  };
}
