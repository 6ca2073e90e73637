import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../logger.js';
import { acceptsGzip, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './content-type.js';
import { createPrometheusPullReader, type PrometheusPullReader, type PrometheusPullReaderOptions } from './pull-reader.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): void => void lines.push(m);
  return { lines, error: push, warn: push, info: push, debug: push };
}

/** Registers an observable gauge whose callback never settles (a database call that hangs). */
function hang(reader: PrometheusPullReader, onCall: () => void): void {
  const meter = providers.get(reader)?.getMeter('slow');
  meter?.createObservableGauge('slow.gauge').addCallback(() => {
    onCall();
    return new Promise<void>(() => {});
  });
}

const providers = new Map<PrometheusPullReader, MeterProvider>();

async function serve(options: PrometheusPullReaderOptions = {}): Promise<{ reader: PrometheusPullReader; url: string }> {
  const reader = createPrometheusPullReader({ host: '127.0.0.1', port: 0, ...options });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'svc', 'service.instance.id': 'i1' }), readers: [reader] });
  cleanups.push(() => provider.shutdown());
  providers.set(reader, provider);
  provider.getMeter('test').createCounter('jobs.done', { unit: '{job}' }).add(7, { queue: 'q1' });
  expect(await reader.ready).toBe(true);
  return { reader, url: reader.url as string };
}

describe('PrometheusPullReader endpoint', () => {
  it('serves the text format with the Prometheus content type', async () => {
    const { url } = await serve();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(TEXT_CONTENT_TYPE);
    const body = await res.text();
    expect(body).toContain('# TYPE jobs_done_total counter\n');
    expect(body).toContain('jobs_done_total{instance="i1",job="svc",otel_scope_name="test",otel_scope_schema_url="",otel_scope_version="",queue="q1"} 7\n');
    expect(body).not.toContain('# EOF');
  });

  it('serves OpenMetrics when the Accept header prefers it (as Prometheus sends it)', async () => {
    const { url } = await serve();
    const accept = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const res = await fetch(url, { headers: { accept } });
    expect(res.headers.get('content-type')).toBe(OPENMETRICS_CONTENT_TYPE);
    const body = await res.text();
    expect(body).toContain('# TYPE jobs_done counter\n');
    expect(body).toContain('} 7.0\n');
    expect(body.endsWith('# EOF\n')).toBe(true);
    const text = await fetch(url, { headers: { accept: 'text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5' } });
    expect(text.headers.get('content-type')).toBe(TEXT_CONTENT_TYPE);
    await text.text();
  });

  it('compresses with gzip when the scraper accepts it, as Prometheus does, and not otherwise', async () => {
    const { url } = await serve();
    // Raw bytes on the wire (fetch would decompress): node:http with an explicit Accept-Encoding.
    const get = (acceptEncoding: string, method = 'GET'): Promise<{ headers: Record<string, unknown>; body: Buffer }> =>
      new Promise((resolve, reject) => {
        request(url, { method, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const plain = await get('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toBe('Accept-Encoding');
    const gzipped = await get('gzip');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
    expect(gunzipSync(gzipped.body).toString('utf8')).toBe(plain.body.toString('utf8'));
    expect((await get('gzip;q=0, identity')).headers['content-encoding']).toBeUndefined();
    const head = await get('gzip', 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.body.length).toBe(0);
  });

  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['x-gzip', true],
    ['*', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['gzip;q=0', false],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['identity', false],
    ['deflate', false],
    ['', false],
    [undefined, false],
  ])('Accept-Encoding %j allows gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('answers 404 on other paths, 405 on other methods, and HEAD without a body', async () => {
    const { url } = await serve({ path: '/custom' });
    expect(url.endsWith('/custom')).toBe(true);
    const other = await fetch(new URL('/metrics', url));
    expect(other.status).toBe(404);
    await other.text();
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.text();
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(TEXT_CONTENT_TYPE);
    expect(await head.text()).toBe('');
    const query = await fetch(`${url}?x=1`);
    expect(query.status).toBe(200);
    await query.text();
  });

  it('demands basic credentials when configured', async () => {
    const { url } = await serve({ auth: { type: 'basic', username: 'prom', password: 's3cret' } });
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="otelkit"/);
    await none.text();
    const wrong = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('prom:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    await wrong.text();
    const bearerInstead = await fetch(url, { headers: { authorization: 'Bearer s3cret' } });
    expect(bearerInstead.status).toBe(401);
    await bearerInstead.text();
    const ok = await fetch(url, { headers: { authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('jobs_done_total');
  });

  it('demands a bearer token when configured', async () => {
    const { url } = await serve({ auth: { type: 'bearer', token: 'tok-123' } });
    const wrong = await fetch(url, { headers: { authorization: 'Bearer tok-124' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="otelkit"');
    await wrong.text();
    const ok = await fetch(url, { headers: { authorization: 'bearer tok-123' } });
    expect(ok.status).toBe(200);
    await ok.text();
  });

  it('reports a taken port once, through ready, the logger and onError, without throwing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;
    const logger = recordingLogger();
    const errors: Error[] = [];
    const reader = createPrometheusPullReader({ host: '127.0.0.1', port, logger, onError: (e) => errors.push(e) });
    const provider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => provider.shutdown());
    expect(await reader.ready).toBe(false);
    expect(reader.url).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^otelkit: Prometheus pull endpoint could not listen on 127\.0\.0\.1:\d+ \(the port is already in use\)/);
    // the reader still works for collection (OTLP and others are unaffected)
    const { body } = await reader.render();
    expect(typeof body).toBe('string');
  });

  it('stops listening on shutdown', async () => {
    const { url, reader } = await serve();
    await reader.shutdown();
    await expect(fetch(url)).rejects.toThrow();
  });

  it('can serve another cumulative reader\'s collection instead of aggregating a second copy', async () => {
    const { PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } = await import('@opentelemetry/sdk-metrics');
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const otlp = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), readers: [otlp] });
    cleanups.push(() => provider.shutdown());
    const reader = createPrometheusPullReader({ host: '127.0.0.1', port: 0, source: otlp });
    cleanups.push(() => reader.shutdown());
    provider.getMeter('test').createCounter('jobs.done').add(5);
    expect(await reader.ready).toBe(true);
    const first = await (await fetch(reader.url as string)).text();
    expect(first).toContain('jobs_done_total{job="svc",otel_scope_name="test",otel_scope_schema_url="",otel_scope_version=""} 5\n');
    // scraping does not reset or disturb the OTLP reader's cumulative data
    await otlp.forceFlush();
    const exported = exporter.getMetrics().at(-1)?.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value;
    expect(exported).toBe(5);
    expect(await (await fetch(reader.url as string)).text()).toBe(first);
  });

  it('answers with what is ready when a callback never resolves, and logs that once', async () => {
    const logger = recordingLogger();
    const { reader, url } = await serve({ collectTimeoutMillis: 100, logger });
    let calls = 0;
    hang(reader, () => calls++);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toContain('jobs_done_total{');
      expect(body).not.toContain('slow_gauge');
    }
    expect(calls).toBe(2);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^otelkit: 1 metric callback\(s\) did not finish within 100 ms while serving \/metrics; .*OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS/);
  });

  it('lets concurrent scrapes share the collection in flight instead of piling up', async () => {
    const { reader, url } = await serve({ collectTimeoutMillis: 60_000 });
    let calls = 0;
    let release: () => void = () => {};
    providers.get(reader)?.getMeter('slow').createObservableGauge('slow.gauge').addCallback((result) => {
      calls++;
      return new Promise<void>((resolve) => {
        release = () => {
          result.observe(calls);
          resolve();
        };
      });
    });
    // Eight scrapes arrive while the first collection waits on the slow callback.
    const answers = Array.from({ length: 8 }, () => reader.render());
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    release();
    const bodies = await Promise.all(answers);
    expect(new Set(bodies.map((a) => a.body)).size).toBe(1);
    expect(bodies[0]?.body).toMatch(/^slow_gauge\{.*\} 1$/m);
    // The next scrape, over HTTP, starts a new collection.
    const next = fetch(url).then((res) => res.text());
    while (calls < 2) await new Promise((r) => setTimeout(r, 5));
    release();
    expect(await next).toMatch(/^slow_gauge\{.*\} 2$/m);
  });

  it('answers 503 when a source ignores the timeout, rather than hanging', async () => {
    const never = { collect: () => new Promise<never>(() => {}) };
    const reader = createPrometheusPullReader({ host: '127.0.0.1', port: 0, source: never, collectTimeoutMillis: 10 });
    cleanups.push(() => reader.shutdown());
    expect(await reader.ready).toBe(true);
    const res = await fetch(reader.url as string);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('otelkit: metrics collection timed out\n');
  });
});
