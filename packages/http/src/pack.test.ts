import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type * as NodeHttp from 'node:http';
import type * as NodeHttps from 'node:https';
import type Express from 'express';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { suppressTracing, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import type { PackHandle } from '@otelkit/node';
import { createTelemetry } from '@otelkit/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pack from './pack.js';

// The http module as an app would require it: through Module.prototype.require, which the instrumentation hooks.
const require = createRequire(import.meta.url);
type Http = typeof NodeHttp;
// Taken before the pack is set up, as an ES module's `import { request } from 'node:http'` would be: outbound
// requests are recorded from node's diagnostics channels, so even this reference is covered.
const { request: earlyRequest } = require('node:http') as Http;

const t = createTelemetry({ scope: '@otelkit/http' });
let handle: PackHandle | void;
let base: string;
let server: NodeHttp.Server;

const points = async (name: string): Promise<DataPoint<Histogram>[]> => (await t.points(name)) as DataPoint<Histogram>[];
const has = (attrs: Attributes, expected: Attributes): boolean => Object.entries(expected).every(([k, v]) => attrs[k] === v);

beforeAll(async () => {
  // Core registers the global providers before it sets packs up; the upstream instrumentations use them.
  metrics.setGlobalMeterProvider(t.meterProvider);
  trace.setGlobalTracerProvider(t.tracerProvider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  handle = await pack.setup(t.ctx({ ignorePaths: ['/metrics', '/internal/*'] }));
  const http = require('node:http') as Http;
  server = http.createServer((req, res) => {
    if (req.url === '/hang') return; // answered never: the client gives up
    if (req.url === '/nested') {
      // Runs in the request's context: this span is a child of the SERVER span.
      trace.getTracer('app').startSpan('handler work').end();
    }
    res.statusCode = req.url?.startsWith('/boom') === true ? 503 : 200;
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await handle?.dispose();
  await t.shutdown();
  metrics.disable();
  trace.disable();
  propagation.disable();
});

/** A loopback port nothing listens on any more: connecting to it is refused. */
async function refusedPort(): Promise<number> {
  const closed = (require('node:http') as Http).createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  await once(closed, 'close');
  return port;
}

function get(path: string): Promise<number> {
  const http = require('node:http') as Http;
  return new Promise((resolve, reject) => {
    http.get(`${base}${path}`, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('http pack', () => {
  it('records server and client request durations in seconds with stable semconv attributes, and server spans', async () => {
    expect(await get('/accounts')).toBe(200);
    expect(await get('/boom')).toBe(503);
    const server = await points('http.server.request.duration');
    const ok = server.find((p) => has(p.attributes, { 'http.request.method': 'GET', 'http.response.status_code': 200 }));
    const boom = server.find((p) => has(p.attributes, { 'http.response.status_code': 503, 'error.type': '503' }));
    expect(ok?.value.count).toBe(1);
    expect(boom?.value.count).toBe(1);
    expect(ok?.value.sum).toBeLessThan(10); // seconds, not milliseconds
    const client = await points('http.client.request.duration');
    expect(client.filter((p) => has(p.attributes, { 'server.address': '127.0.0.1' })).reduce((n, p) => n + p.value.count, 0)).toBe(2);
    const spans = await t.spans();
    const serverSpans = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(serverSpans.map((s) => s.instrumentationScope.name)).toEqual(['@otelkit/http', '@otelkit/http']);
    const boomSpan = serverSpans.find((s) => s.attributes['url.path'] === '/boom');
    expect(boomSpan?.name).toBe('GET');
    expect(boomSpan?.status.code).toBe(SpanStatusCode.ERROR);
    expect(boomSpan?.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 503, 'url.scheme': 'http', 'server.address': '127.0.0.1', 'error.type': '503' });
  });

  it('propagates the trace: the CLIENT span is the parent of the SERVER span, whose context the handler runs in', async () => {
    const before = (await t.spans()).length;
    expect(await get('/nested')).toBe(200);
    const spans = (await t.spans()).slice(before);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    const work = spans.find((s) => s.name === 'handler work');
    expect(client?.attributes).toMatchObject({ 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'http.response.status_code': 200, 'network.protocol.version': '1.1' });
    expect(serverSpan?.spanContext().traceId).toBe(client?.spanContext().traceId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(work?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
  });

  it('records outbound requests made through a reference to http.request taken before the pack started', async () => {
    const count = async (): Promise<number> => (await points('http.client.request.duration')).reduce((n, p) => n + p.value.count, 0);
    const before = await count();
    await new Promise<void>((resolve, reject) => {
      earlyRequest(`${base}/early`, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject).end();
    });
    expect(await count()).toBe(before + 1);
  });

  it('counts a refused connection with its error code, and a request the client abandoned as aborted', async () => {
    const http = require('node:http') as Http;
    const port = await refusedPort();
    await new Promise<void>((resolve) => http.get(`http://127.0.0.1:${port}/`).on('error', () => resolve()));
    const refused = (await points('http.client.request.duration')).find((p) => has(p.attributes, { 'error.type': 'ECONNREFUSED', 'server.port': port }));
    expect(refused?.value.count).toBe(1);
    expect(refused?.attributes['http.response.status_code']).toBeUndefined();

    const abandoned = http.get(`${base}/hang`);
    abandoned.on('error', () => {});
    await new Promise((r) => setTimeout(r, 50));
    abandoned.destroy();
    let aborted: DataPoint<Histogram> | undefined;
    for (let i = 0; i < 50 && aborted === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      aborted = (await points('http.server.request.duration')).find((p) => has(p.attributes, { 'error.type': 'aborted' }));
    }
    expect(aborted?.value.count).toBe(1);
    expect(aborted?.attributes['http.response.status_code']).toBeUndefined();
  });

  it('records fetch (undici) requests: duration until the body is read, a CLIENT span whose context the server continues', async () => {
    const before = (await points('http.client.request.duration')).reduce((n, p) => n + p.value.count, 0);
    const spansBefore = (await t.spans()).length;
    const res = await fetch(`${base}/fetched`);
    await res.text();
    const after = await points('http.client.request.duration');
    expect(after.reduce((n, p) => n + p.value.count, 0)).toBe(before + 1);
    const point = after.find((p) => has(p.attributes, { 'http.request.method': 'GET', 'http.response.status_code': 200, 'network.protocol.version': '1.1', 'url.scheme': 'http' }));
    expect(point?.attributes['server.address']).toBe('127.0.0.1');
    expect(point?.attributes['server.port']).toBe(Number(new URL(base).port));
    const scopes = (await t.collect()).scopeMetrics
      .filter((sm) => sm.metrics.some((m) => m.descriptor.name === 'http.client.request.duration'))
      .map((sm) => sm.scope.name);
    expect(scopes).toEqual(['@otelkit/http']);
    const spans = (await t.spans()).slice(spansBefore);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(client?.attributes['url.full']).toBe(`${base}/fetched`);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
  });

  it('counts a failed fetch with its error code, and an aborted fetch without an error', async () => {
    const port = await refusedPort();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    const refused = (await points('http.client.request.duration')).find((p) => has(p.attributes, { 'error.type': 'ECONNREFUSED', 'server.port': port }));
    expect(refused?.value.count).toBe(1);

    const controller = new AbortController();
    const hanging = fetch(`${base}/hang`, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(hanging).rejects.toThrow();
    // No status and no error type: the one fetch aborted (the node:http request destroyed earlier is ECONNRESET).
    const hang = (await points('http.client.request.duration')).filter((p) => p.attributes['server.port'] === Number(new URL(base).port) && p.attributes['http.response.status_code'] === undefined && p.attributes['error.type'] === undefined);
    expect(hang.map((p) => p.value.count)).toEqual([1]);
    // The server saw the client go away: its second aborted request (after the node:http one above).
    let abortedOnServer = 0;
    for (let i = 0; i < 50 && abortedOnServer < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
      abortedOnServer = (await points('http.server.request.duration')).find((p) => has(p.attributes, { 'error.type': 'aborted' }))?.value.count ?? 0;
    }
    expect(abortedOnServer).toBe(2);
  });

  it('records an https server (reached without node:https being loaded by the pack) and its https client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-https-'));
    try {
      // A throwaway self-signed certificate for 127.0.0.1 (the openssl CLI; node cannot issue one).
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'));
      const https = require('node:https') as typeof NodeHttps;
      const secure = https.createServer({ cert, key: readFileSync(join(dir, 'key.pem')) }, (_req, res) => {
        trace.getTracer('app').startSpan('secure work').end();
        res.end('ok');
      });
      secure.listen(0, '127.0.0.1');
      await once(secure, 'listening');
      const port = (secure.address() as AddressInfo).port;
      const spansBefore = (await t.spans()).length;
      const status = await new Promise<number>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port, path: '/secure?x=1', ca: cert }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
      secure.close();
      expect(status).toBe(200);
      const serverPoint = (await points('http.server.request.duration')).find((p) => has(p.attributes, { 'url.scheme': 'https' }));
      expect(serverPoint?.value.count).toBe(1);
      const clientPoint = (await points('http.client.request.duration')).find((p) => has(p.attributes, { 'url.scheme': 'https', 'server.port': port }));
      expect(clientPoint?.value.count).toBe(1);
      const spans = (await t.spans()).slice(spansBefore);
      const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
      expect(serverSpan?.attributes).toMatchObject({ 'url.scheme': 'https', 'url.path': '/secure', 'url.query': 'x=1', 'http.response.status_code': 200 });
      expect(spans.find((s) => s.name === 'secure work')?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('http.route', () => {
    const routed = async (path: string): Promise<DataPoint<Histogram>[]> =>
      (await points('http.server.request.duration')).filter((p) => p.attributes['http.route'] === path);
    const spanNamed = async (name: string): Promise<boolean> => (await t.spans()).some((s) => s.kind === SpanKind.SERVER && s.name === name && s.attributes['http.route'] !== undefined);
    const listen = async (handler: NodeHttp.RequestListener): Promise<{ url: string; close(): void }> => {
      const s = (require('node:http') as Http).createServer(handler);
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() };
    };

    it('from setHttpRoute() for any other router; the span is named after it', async () => {
      const { setHttpRoute } = await import('./index.js');
      const app = await listen((req, res) => {
        if (req.url?.startsWith('/orders/') === true) setHttpRoute(req, '/orders/:orderId');
        res.end('ok');
      });
      try {
        await (await fetch(`${app.url}/orders/17`)).text();
        await (await fetch(`${app.url}/orders/18`)).text();
        await (await fetch(`${app.url}/unrouted`)).text();
      } finally {
        app.close();
      }
      expect((await routed('/orders/:orderId')).reduce((n, p) => n + p.value.count, 0)).toBe(2);
      expect(await spanNamed('GET /orders/:orderId')).toBe(true);
      expect((await points('http.server.request.duration')).some((p) => String(p.attributes['http.route'] ?? '').includes('17'))).toBe(false);
    });

    it('from find-my-way, whose handlers are wrapped as they are registered', async () => {
      const FindMyWay = require('find-my-way') as (opts?: object) => { on(method: string, path: string, handler: (req: NodeHttp.IncomingMessage, res: NodeHttp.ServerResponse) => void): void; lookup(req: NodeHttp.IncomingMessage, res: NodeHttp.ServerResponse): void };
      const router = FindMyWay({ defaultRoute: (_req: NodeHttp.IncomingMessage, res: NodeHttp.ServerResponse) => res.writeHead(404).end() });
      router.on('GET', '/fmw/accounts/:id', (_req, res) => res.end('ok'));
      const app = await listen((req, res) => router.lookup(req, res));
      try {
        await (await fetch(`${app.url}/fmw/accounts/a1`)).text();
        await (await fetch(`${app.url}/fmw/nothing`)).text();
      } finally {
        app.close();
      }
      expect((await routed('/fmw/accounts/:id')).map((p) => p.value.count)).toEqual([1]);
      expect(await spanNamed('GET /fmw/accounts/:id')).toBe(true);
    });

    it('from Express 5, mounted routers included', async () => {
      const express = require('express') as typeof Express;
      const app = express();
      const api = express.Router();
      api.get('/items/:itemId', (_req, res) => void res.send('ok'));
      app.use('/api', api);
      app.post('/ex/users/:userId', (_req, res) => void res.status(201).send('made'));
      const server = await listen(app);
      try {
        await (await fetch(`${server.url}/api/items/9`)).text();
        await (await fetch(`${server.url}/ex/users/5`, { method: 'POST' })).text();
      } finally {
        server.close();
      }
      expect((await routed('/api/items/:itemId')).map((p) => p.value.count)).toEqual([1]);
      expect((await routed('/ex/users/:userId')).map((p) => p.attributes['http.response.status_code'])).toEqual([201]);
      expect(await spanNamed('POST /ex/users/:userId')).toBe(true);
    });

    it('from Fastify 5, through its request-handler tracing channel', async () => {
      const Fastify = require('fastify') as (opts?: object) => { get(path: string, handler: () => unknown): void; listen(o: object): Promise<string>; close(): Promise<void> };
      const app = Fastify();
      app.get('/fy/widgets/:widgetId', () => ({ ok: true }));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const spansBefore = (await t.spans()).length;
      try {
        await (await fetch(`${url}/fy/widgets/3`)).text();
        expect((await fetch(`${url}/fy/nothing`)).status).toBe(404);
      } finally {
        await app.close();
      }
      expect((await routed('/fy/widgets/:widgetId')).map((p) => p.value.count)).toEqual([1]);
      expect(await spanNamed('GET /fy/widgets/:widgetId')).toBe(true);
      // Fastify's not-found handler sits on find-my-way as '/*': a 404 reports no route.
      const notFound = (await t.spans()).slice(spansBefore).filter((s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === '/fy/nothing');
      expect(notFound.map((s) => [s.name, s.attributes['http.route']])).toEqual([['GET', undefined]]);
    });
  });

  it('ignores the configured paths: exact and prefix, query strings aside', async () => {
    const count = async (): Promise<number> => (await points('http.server.request.duration')).reduce((n, p) => n + p.value.count, 0);
    const before = await count();
    await get('/metrics');
    await get('/metrics?x=1');
    await get('/internal/health');
    expect(await count()).toBe(before);
    await get('/metrics/more');
    expect(await count()).toBe(before + 1);
  });

  it('leaves requests made with tracing suppressed (otelkit\'s own exports) unmeasured', async () => {
    const clientCount = async (): Promise<number> => (await points('http.client.request.duration')).reduce((n, p) => n + p.value.count, 0);
    const before = await clientCount();
    await context.with(suppressTracing(context.active()), async () => {
      await get('/export');
      await (await fetch(`${base}/export`)).text();
    });
    expect(await clientCount()).toBe(before);
    await get('/app');
    expect(await clientCount()).toBe(before + 1);
  });

  it('does not instrument node:http a second time when it is already instrumented', async () => {
    const second = await pack.setup(t.ctx());
    try {
      expect(t.logs.some((l) => /^otelkit: node:http is already instrumented/.test(l))).toBe(true);
      expect(t.logs.some((l) => /^otelkit: fetch \(undici\) is already instrumented/.test(l))).toBe(true);
      const count = async (): Promise<number> => (await points('http.server.request.duration')).reduce((n, p) => n + p.value.count, 0);
      const before = await count();
      await get('/once');
      expect(await count()).toBe(before + 1);
    } finally {
      await second?.dispose();
    }
  });

  it('logs one line and falls back on a bad option', async () => {
    const { resolveHttpOptions } = await import('./options.js');
    const lines: string[] = [];
    const resolved = resolveHttpOptions({ ignorePaths: 'metrics', server: 'yes' }, { ...t.ctx().logger, warn: (m) => lines.push(m) });
    expect(resolved.server).toBe(true);
    expect(resolved.ignorePaths).toContain('/metrics');
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^otelkit: http pack option server must be true or false/), expect.stringMatching(/^otelkit: http pack option ignorePaths must be/)]));
  });
});
