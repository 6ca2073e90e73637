// http.route from Koa (@koa/router), Hono (@hono/node-server) and NestJS (Express) in a real ESM app started with
// --import: the pack's routers are wrapped through the scoped ESM loader hook, and the route template labels
// http_server_request_duration_seconds on the pull endpoint and names the SERVER spans; an unknown path has no route.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectSpan, spansMatching } from '../support/expect-telemetry.ts';
import { linkModule } from '../support/fixture-app.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const httpPack = join(repo, 'packages', 'http');
const frameworks = ['koa', '@koa/router', 'hono', '@hono/node-server', '@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelkit-routers-'));
  cpSync(join(repo, 'test', 'fixtures', 'apps', 'routers'), dir, { recursive: true });
  const dependencies = Object.fromEntries(['@otelkit/node', '@otelkit/http', ...frameworks].map((name) => [name, '*']));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'routers-fixture', version: '1.0.0', private: true, type: 'module', dependencies }));
  linkModule(dir, join(repo, 'packages', 'node'), '@otelkit/node');
  linkModule(dir, httpPack, '@otelkit/http');
  for (const name of frameworks) linkModule(dir, join(httpPack, 'node_modules', name), name);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('labels the duration on /metrics and names the span with the route template of Koa, Hono and NestJS', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const run = spawnApp('app.mjs', {
      cwd: dir,
      nodeArgs: ['--import', '@otelkit/node/register'],
      env: {
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcUrl,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    const [, url] = await run.waitForOutput(/prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    await run.waitForOutput(/fixture: routers done/);
    const body = await (await fetch(url!)).text();
    const count = (route: string, status: number): number | undefined => {
      const line = body.split('\n').find((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes(`http_route="${route}"`) && l.includes(`http_response_status_code="${status}"`));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    expect(
      ['/koa/accounts/:id', '/koa/items/:itemId', '/hono/accounts/:id', '/hono/orders/:orderId', '/nest/accounts/:accountId'].map((route) => [route, count(route, 200)]),
    ).toEqual([
      ['/koa/accounts/:id', 2],
      ['/koa/items/:itemId', 1],
      ['/hono/accounts/:id', 2],
      ['/hono/orders/:orderId', 1],
      ['/nest/accounts/:accountId', 2],
    ]);
    // The three unknown paths: 404s without a route label, no raw path as a label anywhere.
    const notFound = body.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('http_response_status_code="404"'));
    expect(notFound.map((l) => [l.includes('http_route='), Number(l.slice(l.lastIndexOf(' ') + 1))])).toEqual([[false, 3]]);
    expect(body).not.toMatch(/http_route="[^"]*(nothing|\/1|\/7)"/);

    for (const name of ['GET /koa/accounts/:id', 'GET /koa/items/:itemId', 'GET /hono/accounts/:id', 'GET /hono/orders/:orderId', 'GET /nest/accounts/:accountId']) {
      await expectSpan(receiver, { name, attributes: { 'http.route': name.slice(4) } });
    }
    expect(spansMatching(receiver, { name: 'GET /koa/accounts/:id' })).toHaveLength(2);
    run.kill('SIGTERM');
    await run.exited;
  } finally {
    await receiver.close();
  }
});
