// The shipped collector config proven against the real backends: OTLP in, Prometheus (translated names) and
// Jaeger (spans) out, span metrics in between. Also pins the collector's exposition for a known input
// (test/fixtures/collector-exposition.txt), which otelkit's own pull endpoint must reproduce.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/stack/backends.mjs';
import { startStack, waitFor, type Stack } from '../support/stack.ts';

const fixtureDir = join(repoRoot, 'test', 'fixtures');
const expositionFile = join(fixtureDir, 'collector-exposition.txt');

function fixtureRequest(): string {
  const md = readFileSync(join(fixtureDir, 'collector-exposition.input.md'), 'utf8');
  const m = /```json\n([\s\S]*?)\n```/.exec(md);
  if (!m?.[1]) throw new Error('collector-exposition.input.md has no ```json block');
  return m[1];
}

async function postOtlp(stack: Stack, signal: 'metrics' | 'traces', body: string): Promise<void> {
  const res = await fetch(`${stack.urls.otlpHttp}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  // A partial success names rejected points; there must be none.
  expect(text).not.toMatch(/rejected/i);
}

let stack: Stack;

/** Series (name and labels, job aside) Prometheus holds for a job. */
async function seriesOf(job: string): Promise<Set<string>> {
  const res = await fetch(`${stack.urls.prometheus}/api/v1/series?${new URLSearchParams({ 'match[]': `{job="${job}"}` }).toString()}`);
  const { data } = (await res.json()) as { data: Record<string, string>[] };
  return new Set(data.map(({ __name__: name = '', job: _job, ...labels }) => {
    const sorted = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${name}{${sorted.join(',')}}`;
  }));
}

beforeAll(async () => {
  stack = await startStack({ spanMetricsFlushInterval: '1s' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('the native stack (collector, Jaeger v2, Prometheus, Alertmanager)', () => {
  it('serves the known exposition for the fixture input', async () => {
    await postOtlp(stack, 'metrics', fixtureRequest());
    const text = await waitFor(async () => {
      const body = await (await fetch(stack.urls.collectorExporter)).text();
      return body.includes('fixture_duration_seconds_count') ? body : undefined;
    }, 30_000, 'the fixture metrics in the collector exposition');
    if (process.env.OTELKIT_UPDATE_FIXTURES === '1') writeFileSync(expositionFile, text);
    expect(text).toBe(readFileSync(expositionFile, 'utf8'));
  });

  it('gets an OTLP counter with a unit into Prometheus under its translated name', async () => {
    const samples = await waitFor(async () => {
      const r = await stack.promQuery('fixture_requests_total{job="otelkit-fixture", outcome="ok"}');
      return r.length > 0 ? r : undefined;
    }, 60_000, 'fixture_requests_total in Prometheus');
    expect(samples).toHaveLength(1);
    const [sample] = samples;
    expect(sample?.metric).toMatchObject({
      __name__: 'fixture_requests_total',
      job: 'otelkit-fixture',
      instance: 'fixture-1',
      http_route: '/a',
      outcome: 'ok',
      otel_scope_name: 'otelkit.fixture',
      otel_scope_version: '0.1.0',
    });
    expect(sample?.value[1]).toBe('3');
    // Resource attributes other than service.name/instance.id land in target_info, not on every series.
    const info = await stack.promQuery('target_info{job="otelkit-fixture"}');
    expect(info[0]?.metric).toMatchObject({ service_version: '1.2.3', deployment_environment_name: 'test' });
    expect(sample?.metric.service_version).toBeUndefined();
  });

  it('stores OTLP pushed straight to Prometheus (no collector) as the same series as the collector path', async () => {
    // The fixture as another service, timestamped now: Prometheus stores pushed samples at their own timestamps.
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = fixtureRequest()
      .replace('"stringValue": "otelkit-fixture"', '"stringValue": "otelkit-fixture-direct"')
      .replaceAll('"1767225600000000000"', `"${now - 10_000_000_000n}"`)
      .replaceAll('"1767225610000000000"', `"${now}"`);
    const res = await fetch(stack.urls.prometheusOtlp, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status, await res.text()).toBe(200);
    const [viaCollector, direct] = await Promise.all([seriesOf('otelkit-fixture'), seriesOf('otelkit-fixture-direct')]);
    expect(viaCollector.size).toBe(13);
    // Prometheus 3 rewrites the `le` of a scraped classic histogram as an OpenMetrics float (the collector serves
    // le="1", stored as le="1.0"); its OTLP receiver writes the bound as the shortest decimal (le="1"). Every other
    // series, target_info and the otel_scope_* labels included, is the same on both paths.
    const bucket = (le: string): string =>
      `fixture_duration_seconds_bucket{instance="fixture-1",le="${le}",otel_scope_name="otelkit.fixture",otel_scope_version="0.1.0",outcome="ok"}`;
    expect({ onlyViaCollector: [...viaCollector].filter((s) => !direct.has(s)), onlyDirect: [...direct].filter((s) => !viaCollector.has(s)) })
      .toEqual({ onlyViaCollector: [bucket('1.0')], onlyDirect: [bucket('1')] });
    const values = async (job: string): Promise<string[]> =>
      (await stack.promQuery(`{job="${job}", __name__=~"fixture_.+", le!="1", le!="1.0"}`)).map(({ metric: { job: _job, ...labels }, value }) => `${JSON.stringify(labels)} ${value[1]}`).sort();
    expect(await values('otelkit-fixture-direct')).toEqual(await values('otelkit-fixture'));
  });

  it('gets a span into Jaeger and span metrics into Prometheus', async () => {
    const service = `otelkit-e2e-${randomBytes(3).toString('hex')}`;
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const childId = randomBytes(8).toString('hex');
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (id: string, name: string, kind: number, parent: string, startOffsetMs: bigint, durMs: bigint) => ({
      traceId,
      spanId: id,
      parentSpanId: parent,
      name,
      kind,
      startTimeUnixNano: String(now + startOffsetMs * 1_000_000n),
      endTimeUnixNano: String(now + (startOffsetMs + durMs) * 1_000_000n),
      attributes: [{ key: 'command.type', value: { stringValue: 'OpenAccount' } }],
      status: { code: 1 },
    });
    await postOtlp(stack, 'traces', JSON.stringify({
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{
          scope: { name: 'otelkit.e2e' },
          spans: [
            span(spanId, 'command OpenAccount', 2, '', 0n, 120n),
            span(childId, 'eventstore append', 3, spanId, 10n, 30n),
          ],
        }],
      }],
    }));

    const traces = await waitFor(async () => {
      const t = await stack.jaegerTraces(service);
      return t.length > 0 && t[0]!.spans.length === 2 ? t : undefined;
    }, 60_000, `the trace of ${service} in Jaeger`);
    expect(traces).toHaveLength(1);
    expect(traces[0]?.traceID).toBe(traceId);
    const byName = Object.fromEntries(traces[0]!.spans.map((s) => [s.operationName, s]));
    expect(byName['eventstore append']?.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: spanId }]);
    expect(await stack.jaegerServices()).toContain(service);

    let seen: unknown;
    const calls = await waitFor(async () => {
      const r = await stack.promQuery(`traces_span_metrics_calls_total{service_name="${service}"}`);
      seen = r.map((x) => [x.metric.span_name, x.value[1]]);
      return r.length === 2 && r.every((x) => x.value[1] === '1') ? r : undefined;
    }, 60_000, 'span metrics calls in Prometheus').catch((err: unknown) => {
      throw new Error(`${String(err)}; last seen: ${JSON.stringify(seen)}`);
    });
    expect(calls.map((s) => s.metric.span_name).sort()).toEqual(['command OpenAccount', 'eventstore append']);
    for (const s of calls) expect(s.value[1]).toBe('1');
    // Seconds-scale histogram: the 120 ms command falls in the 0.25 s bucket, not in 0.1 s.
    const le = async (bound: string) =>
      (await stack.promQuery(`traces_span_metrics_duration_seconds_bucket{service_name="${service}", span_name="command OpenAccount", le="${bound}"}`))[0]?.value[1];
    expect(await le('0.1')).toBe('0');
    expect(await le('0.25')).toBe('1');
  });

  it('has Prometheus scraping every target it was given, and the collector\'s own telemetry', async () => {
    const up = await waitFor(async () => {
      const r = await stack.promQuery('up');
      const jobs = Object.fromEntries(r.map((s) => [s.metric.job, s.value[1]]));
      return jobs['otel-collector'] === '1' && jobs['otelcol'] === '1' && jobs['prometheus'] === '1' ? jobs : undefined;
    }, 60_000, 'all scrape jobs up');
    expect(up).toMatchObject({ 'otel-collector': '1', otelcol: '1', prometheus: '1' });
    const accepted = await waitFor(async () => {
      // The collector's own telemetry keeps OTel names without _total (otelcol 0.161).
      const r = await stack.promQuery('sum(otelcol_receiver_accepted_spans{job="otelcol"})');
      return r[0] && Number(r[0].value[1]) >= 2 ? r : undefined;
    }, 60_000, 'otelcol_receiver_accepted_spans');
    expect(Number(accepted[0]?.value[1])).toBeGreaterThanOrEqual(2);
  });

  it('scrapes the app\'s own pull endpoint as job "app" once it is given as a target', async () => {
    let accept = '';
    const server = createServer((req, res) => {
      accept = req.headers.accept ?? '';
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('# TYPE fixture_pull_requests_total counter\nfixture_pull_requests_total{outcome="ok"} 7\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      stack.setAppTargets([`127.0.0.1:${port}`]);
      const samples = await waitFor(async () => {
        const r = await stack.promQuery('fixture_pull_requests_total{job="app"}');
        return r.length > 0 ? r : undefined;
      }, 60_000, 'the app job scraped through file_sd');
      expect(samples[0]?.metric).toMatchObject({ job: 'app', instance: `127.0.0.1:${port}`, outcome: 'ok' });
      expect(samples[0]?.value[1]).toBe('7');
      // prometheus.yml's metric_name_escaping_scheme: Prometheus 3 would otherwise offer escaping=allow-utf-8.
      expect(accept).toContain('escaping=underscores');
      expect(accept).not.toContain('allow-utf-8');
    } finally {
      stack.setAppTargets([]);
      await new Promise((r) => server.close(r));
    }
  });

  it('has Alertmanager running and connected to Prometheus', async () => {
    const body = (await (await fetch(`${stack.urls.prometheus}/api/v1/alertmanagers`)).json()) as {
      data: { activeAlertmanagers: { url: string }[] };
    };
    expect(body.data.activeAlertmanagers.map((a) => a.url)).toEqual([`${stack.urls.alertmanager}/api/v2/alerts`]);
    const status = await fetch(`${stack.urls.alertmanager}/api/v2/status`);
    expect(status.status).toBe(200);
  });

  it('survives a collector restart: new data arrives after it returns', async () => {
    await stack.stopCollector();
    await expect(fetch(stack.urls.collectorHealth)).rejects.toThrow();
    await stack.startCollector();
    const body = fixtureRequest().replace('"asInt": "3"', '"asInt": "5"').replaceAll('1767225610000000000', '1767225620000000000');
    await postOtlp(stack, 'metrics', body);
    const samples = await waitFor(async () => {
      const r = await stack.promQuery('fixture_requests_total{job="otelkit-fixture", outcome="ok"}');
      return r[0]?.value[1] === '5' ? r : undefined;
    }, 60_000, 'the updated counter after the collector restart');
    expect(samples[0]?.value[1]).toBe('5');
  });
});
