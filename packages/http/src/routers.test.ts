// http.route from real Koa (@koa/router), Hono (@hono/node-server) and NestJS (on Express and on Fastify) apps with
// no otelkit code in them: the route template on the SERVER span (named after it) and on
// http.server.request.duration, prefixes and nested routers included, and no http.route on a request no route matched.
import type * as NodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type * as HonoNodeServer from '@hono/node-server';
import type * as HonoModule from 'hono';
import { metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import type { PackHandle } from '@otelkit/node';
import { createTelemetry } from '@otelkit/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pack from './pack.js';

// CommonJS packages as an app would require them: through Module.prototype.require, which the instrumentation hooks.
const require = createRequire(import.meta.url);

const t = createTelemetry({ scope: '@otelkit/http' });
let handle: PackHandle | void;

beforeAll(async () => {
  metrics.setGlobalMeterProvider(t.meterProvider);
  trace.setGlobalTracerProvider(t.tracerProvider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  handle = await pack.setup(t.ctx());
});

afterAll(async () => {
  await handle?.dispose();
  await t.shutdown();
  metrics.disable();
  trace.disable();
  propagation.disable();
});

/** A request and the `http.route` expected for it (undefined: none). */
type Served = readonly [method: string, path: string, status: number, route: string | undefined];

/**
 * Sends each request (one at a time) to `base` and checks what was recorded for it: the SERVER span's route and name,
 * and one more count on the duration point with that method, status and route.
 */
async function expectRoutes(base: string, served: readonly Served[]): Promise<void> {
  for (const [method, path, status, route] of served) {
    const matching = async (): Promise<DataPoint<Histogram>[]> =>
      ((await t.points('http.server.request.duration')) as DataPoint<Histogram>[]).filter(
        (p) => p.attributes['http.request.method'] === method && p.attributes['http.response.status_code'] === status && p.attributes['http.route'] === route,
      );
    const countBefore = (await matching()).reduce((n, p) => n + p.value.count, 0);
    const spansBefore = (await t.spans()).length;
    const res = await fetch(`${base}${path}`, { method });
    await res.arrayBuffer();
    expect(res.status, `${method} ${path}`).toBe(status);
    const server = (await t.spans()).slice(spansBefore).filter((s) => s.kind === SpanKind.SERVER);
    expect(server.map((s) => [s.attributes['url.path'], s.attributes['http.route'], s.name]), `${method} ${path}`).toEqual([
      [path.split('?')[0], route, route === undefined ? method : `${method} ${route}`],
    ]);
    expect((await matching()).reduce((n, p) => n + p.value.count, 0), `${method} ${path}`).toBe(countBefore + 1);
  }
}

const urlOf = (server: NodeHttp.Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function listening(server: NodeHttp.Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return urlOf(server);
}

describe('http.route', () => {
  it('from Koa with @koa/router: parameters, a prefixed router, a nested router, a 404', async () => {
    const Koa = require('koa') as new () => { use(m: unknown): unknown; listen(port: number, host: string): NodeHttp.Server };
    const Router = require('@koa/router') as new (opts?: { prefix?: string }) => {
      get(path: string, ...h: ((ctx: { body?: unknown; status?: number; params: Record<string, string> }, next: () => Promise<void>) => unknown)[]): unknown;
      post(path: string, ...h: ((ctx: { body?: unknown; status?: number }) => unknown)[]): unknown;
      use(path: string, m: unknown): unknown;
      routes(): unknown;
      allowedMethods(): unknown;
    };
    const app = new Koa();
    const root = new Router();
    root.get('/koa/accounts/:id', (ctx) => void (ctx.body = { id: ctx.params['id'] }));
    const api = new Router({ prefix: '/koa/api' });
    api.post('/orders', (ctx) => void ((ctx.status = 201), (ctx.body = 'made')));
    const items = new Router();
    items.get('/:itemId/parts/:partId', (ctx) => void (ctx.body = 'part'));
    api.use('/items', items.routes());
    // A middleware of its own before the router: it sees the route only after the router ran.
    app.use(async (_ctx: unknown, next: () => Promise<void>) => next());
    app.use(root.routes());
    app.use(api.routes());
    app.use(api.allowedMethods());
    const server = app.listen(0, '127.0.0.1');
    try {
      await expectRoutes(await listening(server), [
        ['GET', '/koa/accounts/a1', 200, '/koa/accounts/:id'],
        ['GET', '/koa/accounts/a2?x=1', 200, '/koa/accounts/:id'],
        ['POST', '/koa/api/orders', 201, '/koa/api/orders'],
        ['GET', '/koa/api/items/7/parts/9', 200, '/koa/api/items/:itemId/parts/:partId'],
        ['GET', '/koa/nothing/here', 404, undefined],
      ]);
    } finally {
      server.close();
    }
  });

  it('from Hono on @hono/node-server: parameters, a sub-app under app.route(), a base path, middleware, a 404', async () => {
    const { Hono } = require('hono') as typeof HonoModule;
    const { serve } = require('@hono/node-server') as typeof HonoNodeServer;
    const app = new Hono();
    // Middleware (Hono's own test: it takes next) reports no route, so a 404 it ran for gets none.
    app.use('*', async (_c, next) => {
      await next();
    });
    app.get('/hono/accounts/:id', (c) => c.json({ id: c.req.param('id') }));
    const orders = new Hono();
    orders.post('/', (c) => c.text('made', 201));
    orders.get('/:orderId/lines/:line', (c) => c.text('line'));
    app.route('/hono/orders', orders);
    const v2 = new Hono().basePath('/hono/v2');
    v2.get('/things/:thing', (c) => c.text('thing'));
    app.route('/', v2);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as NodeHttp.Server;
    try {
      await expectRoutes(await listening(server), [
        ['GET', '/hono/accounts/a1', 200, '/hono/accounts/:id'],
        ['POST', '/hono/orders', 201, '/hono/orders'],
        ['GET', '/hono/orders/o1/lines/2', 200, '/hono/orders/:orderId/lines/:line'],
        ['GET', '/hono/v2/things/t1', 200, '/hono/v2/things/:thing'],
        ['GET', '/hono/nothing', 404, undefined],
      ]);
    } finally {
      server.close();
    }
  });

  describe.each(['express', 'fastify'] as const)('from NestJS on its %s adapter (through that router, no Nest patching)', (platform) => {
    it('a global prefix, controller paths and parameters, a 404', async () => {
      await import('reflect-metadata');
      const { Controller, Get, Module, Param, Post, HttpCode } = await import('@nestjs/common');
      const { NestFactory } = await import('@nestjs/core');
      // The decorators applied as TypeScript would emit them (the test files are not compiled with decorators).
      class AccountsController {
        find(id: string): { id: string } {
          return { id };
        }
        open(): string {
          return 'opened';
        }
      }
      const proto = AccountsController.prototype;
      Get(':accountId')(proto, 'find', Object.getOwnPropertyDescriptor(proto, 'find')!);
      Param('accountId')(proto, 'find', 0);
      Post()(proto, 'open', Object.getOwnPropertyDescriptor(proto, 'open')!);
      HttpCode(201)(proto, 'open', Object.getOwnPropertyDescriptor(proto, 'open')!);
      Controller('accounts')(AccountsController);
      class TransfersController {
        get(): string {
          return 'transfer';
        }
      }
      Get(':transferId/legs/:leg')(TransfersController.prototype, 'get', Object.getOwnPropertyDescriptor(TransfersController.prototype, 'get')!);
      Controller('ledger/transfers')(TransfersController);
      class AppModule {}
      Module({ controllers: [AccountsController, TransfersController] })(AppModule);

      const adapter =
        platform === 'express'
          ? new (await import('@nestjs/platform-express')).ExpressAdapter()
          : new (await import('@nestjs/platform-fastify')).FastifyAdapter();
      const app = await NestFactory.create(AppModule, adapter, { logger: false });
      app.setGlobalPrefix(`nest-${platform}`);
      await app.listen(0, '127.0.0.1');
      const base = urlOf(app.getHttpServer() as NodeHttp.Server);
      const prefix = `/nest-${platform}`;
      try {
        await expectRoutes(base, [
          ['GET', `${prefix}/accounts/a1`, 200, `${prefix}/accounts/:accountId`],
          ['POST', `${prefix}/accounts`, 201, `${prefix}/accounts`],
          ['GET', `${prefix}/ledger/transfers/t1/legs/2`, 200, `${prefix}/ledger/transfers/:transferId/legs/:leg`],
          // Under a global prefix Nest answers unknown paths from an Express route of its own, one fixed value; on
          // Fastify it sets the not-found handler, which reports none.
          ['GET', `${prefix}/nothing`, 404, platform === 'express' ? `${prefix}*path` : undefined],
        ]);
      } finally {
        await app.close();
      }
    });
  });
});
