// (c) GET /metrics response time at 1k and 10k series: otelkit's pull endpoint vs the upstream
// @opentelemetry/exporter-prometheus vs prom-client, each serving the same counter with N label sets.
// Run as its own process (`node metrics-endpoint.mjs`, prints JSON).
import { createServer } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createPrometheusPullReader } from '@otelkit/node';
import client from 'prom-client';
import { freePort } from './lib/sinks.mjs';
import { median } from './lib/stats.mjs';

// The SDK's default cardinality limit (2000) would fold 10k label sets into an overflow series.
const views = [{ instrumentName: 'bench.requests', aggregationCardinalityLimit: 20_000 }];

function record(provider, n) {
  const c = provider.getMeter('bench').createCounter('bench.requests', { unit: '{request}', description: 'Requests.' });
  for (let i = 0; i < n; i++) c.add(i + 1, { 'http.route': `/route/${i % 100}`, 'request.id': String(i) });
}

// fetch asks for gzip by default; every row states what it asks for, and the bytes are what crossed the wire.
async function timeGets(url, requests, acceptEncoding = 'identity') {
  let series = 0;
  let bytes = 0;
  const samples = [];
  for (let i = 0; i < requests + 3; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(url, { headers: { 'accept-encoding': acceptEncoding } });
    const body = await res.text();
    bytes = Number(res.headers.get('content-length') ?? Buffer.byteLength(body));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    series = body.split('\n').filter((l) => l.startsWith('bench_requests')).length;
    if (i >= 3) samples.push(ms); // the first requests warm up JIT and caches
  }
  return { ms: median(samples), series, bytes };
}

async function otelkitEndpoint(n) {
  const reader = createPrometheusPullReader({ host: '127.0.0.1', port: 0 });
  const provider = new MeterProvider({ readers: [reader], views });
  record(provider, n);
  await reader.ready;
  return { url: reader.url, close: () => provider.shutdown() };
}

async function upstreamEndpoint(n) {
  const port = await freePort();
  const exporter = new PrometheusExporter({ host: '127.0.0.1', port });
  const provider = new MeterProvider({ readers: [exporter], views });
  record(provider, n);
  await new Promise((r) => setTimeout(r, 100)); // the exporter starts listening asynchronously
  return { url: `http://127.0.0.1:${port}/metrics`, close: () => provider.shutdown() };
}

async function promClientEndpoint(n) {
  const registry = new client.Registry();
  const c = new client.Counter({ name: 'bench_requests_total', help: 'Requests.', labelNames: ['http_route', 'request_id'], registers: [registry] });
  for (let i = 0; i < n; i++) c.inc({ http_route: `/route/${i % 100}`, request_id: String(i) }, i + 1);
  const server = createServer((req, res) => {
    registry.metrics().then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/metrics`, close: () => new Promise((r) => server.close(r)) };
}

const results = [];
for (const [n, requests] of [[1000, 30], [10000, 10]]) {
  const row = { series: n };
  for (const [name, make] of [['otelkit', otelkitEndpoint], ['upstream', upstreamEndpoint], ['promClient', promClientEndpoint]]) {
    const endpoint = await make(n);
    try {
      const r = await timeGets(endpoint.url, requests);
      row[name] = r.ms;
      row[`${name}Series`] = r.series;
      row[`${name}Bytes`] = r.bytes;
      if (name === 'otelkit') {
        // What Prometheus gets: it sends Accept-Encoding: gzip.
        const g = await timeGets(endpoint.url, requests, 'gzip');
        row.otelkitGzip = g.ms;
        row.otelkitGzipBytes = g.bytes;
      }
    } finally {
      await endpoint.close();
    }
  }
  results.push(row);
}
process.stdout.write(`${JSON.stringify(results)}\n`);
