// Golden test: recorded request measurements, fed through the instruments the pack creates from its catalog (the
// names, units and buckets node-http.ts records with), must produce exactly the checked-in exposition text
// (test/fixtures/packs/http.prom). Real requests have real, varying durations, so the recording replays
// (duration, attributes) pairs as the recorder computes them. Regenerate with
// `UPDATE_GOLDEN=1 pnpm vitest run packages/http/src/golden.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import { createInstruments } from '@otelkit/node/kit';
import { createTelemetry } from '@otelkit/node/testing';
import { expect, it } from 'vitest';
import { catalog } from './catalog.js';

const golden = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'packs', 'http.prom');

const server = (method: string, status: number, route: string): Attributes => ({
  'http.request.method': method, 'url.scheme': 'http', 'network.protocol.version': '1.1', 'http.route': route,
  'http.response.status_code': status, ...(status >= 500 ? { 'error.type': String(status) } : {}),
});
const client = (status: number): Attributes => ({
  'http.request.method': 'GET', 'server.address': 'rates.example', 'server.port': 443, 'url.scheme': 'https',
  'network.protocol.version': '1.1', 'http.response.status_code': status, ...(status >= 400 ? { 'error.type': String(status) } : {}),
});

// [kind, duration ms, attributes]
const RECORDING: readonly (readonly ['server' | 'client', number, Attributes])[] = [
  ['server', 4.2, server('POST', 201, '/accounts')], ['server', 12.5, server('POST', 200, '/accounts/:id/deposits')],
  ['server', 80, server('POST', 200, '/accounts/:id/deposits')], ['server', 1300, server('POST', 503, '/transfers')],
  ['server', 2.1, server('GET', 200, '/accounts/:id')], ['client', 45, client(200)], ['client', 5200, client(504)],
];

it('replays recorded request durations into the golden exposition', async () => {
  const t = createTelemetry();
  const instruments = createInstruments(t.meterProvider.getMeter('@otelkit/http'), catalog);
  for (const [kind, ms, attributes] of RECORDING) {
    instruments[kind === 'server' ? 'http.server.request.duration' : 'http.client.request.duration'].record(ms / 1000, attributes);
  }
  const text = await t.exposition();
  await t.shutdown();
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, text);
  expect(text).toBe(readFileSync(golden, 'utf8'));
});
