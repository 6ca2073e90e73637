import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { PrototypePatch } from '@otelkit/node/kit';
import { setHttpRoute, setKoaContext } from './route-key.js';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, type InstrumentationModuleDefinition } from '@otelkit/node/instrumentation';

type Handler = (this: unknown, req: IncomingMessage, ...rest: unknown[]) => unknown;
const WRAPPED: unique symbol = Symbol('otelkit.http.route.handler');

/**
 * Fastify registers its not-found handlers on find-my-way too (as `/*`), with a route context whose config has no url:
 * Fastify's own `request.is404` test. Those handlers report no route.
 */
function isFastifyNotFound(store: unknown): boolean {
  const config = (store as { config?: unknown } | null | undefined)?.config;
  return typeof config === 'object' && config !== null && (config as { url?: unknown }).url === undefined;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** find-my-way: each handler registered with `on()` (and get/post/all, which call it) reports its path. */
const findMyWayPatch = new PrototypePatch('otelkit.http.route.find-my-way', 'on', (original: Method) =>
  function on(this: unknown, method: unknown, path: unknown, opts: unknown, handler: unknown, store: unknown): unknown {
    const wrap = (fn: unknown): unknown => {
      if (typeof fn !== 'function' || typeof path !== 'string' || (fn as { [WRAPPED]?: boolean })[WRAPPED] === true) return fn;
      const route = path;
      const wrapped = function (this: unknown, req: IncomingMessage, ...rest: unknown[]): unknown {
        setHttpRoute(req, route);
        return (fn as Handler).call(this, req, ...rest);
      };
      return Object.assign(wrapped, { [WRAPPED]: true });
    };
    // on(method, path, handler[, store]) or on(method, path, opts, handler[, store])
    if (isFastifyNotFound(typeof opts === 'function' ? handler : store)) return original.call(this, method, path, opts, handler, store);
    if (typeof opts === 'function') return original.call(this, method, path, wrap(opts), handler, store);
    return original.call(this, method, path, opts, wrap(handler), store);
  });

/** Express (4's own router, 5's `router` package): a route reports `baseUrl + path` when it dispatches. */
const routeDispatchPatch = new PrototypePatch('otelkit.http.route.dispatch', 'dispatch', (original: Method) =>
  function dispatch(this: { path?: unknown }, req: IncomingMessage & { baseUrl?: string }, ...rest: unknown[]): unknown {
    if (typeof this.path === 'string') setHttpRoute(req, `${req.baseUrl ?? ''}${this.path}`);
    return original.call(this, req, ...rest);
  } as Method);

type KoaDispatch = ((this: unknown, ctx: { req?: IncomingMessage }, next: unknown) => unknown) & { router?: unknown };

/**
 * `@koa/router`: the middleware `routes()` returns hands the request its Koa context, whose `_matchedRoute` the router
 * sets to the matched layer's path (prefixes and nested routers included) and which is read when the request ends.
 */
const koaRouterPatch = new PrototypePatch('otelkit.http.route.koa-router', 'middleware', (original: Method) =>
  function middleware(this: unknown, ...args: unknown[]): unknown {
    const dispatch = original.apply(this, args) as KoaDispatch;
    if (typeof dispatch !== 'function') return dispatch;
    const wrapped: KoaDispatch = function (this: unknown, ctx, next) {
      if (ctx?.req !== undefined) setKoaContext(ctx.req, ctx);
      return dispatch.call(this, ctx, next);
    };
    // router.use(nested.routes()) recognizes a nested router by this property and copies its layers.
    wrapped.router = dispatch.router;
    return wrapped;
  });

type HonoHandler = ((this: unknown, c: { env?: { incoming?: IncomingMessage } }, ...rest: unknown[]) => unknown) & { __COMPOSED_HANDLER?: unknown };

/** Hono's own test for middleware (`isMiddleware` of hono/utils/handler, behind a sub-app's composed handler). */
function isHonoMiddleware(handler: HonoHandler): boolean {
  let target: unknown = handler;
  while (typeof (target as HonoHandler).__COMPOSED_HANDLER === 'function') target = (target as HonoHandler).__COMPOSED_HANDLER;
  return (target as HonoHandler).length > 1;
}

/**
 * Hono: each route handler (not middleware) a router's `add()` is given as `[handler, route]` reports `route.path`
 * (base paths and mounted sub-apps included) on `c.env.incoming`, the request @hono/node-server passes.
 */
const honoRouterPatch = new PrototypePatch('otelkit.http.route.hono', 'add', (original: Method) =>
  function add(this: unknown, method: unknown, path: unknown, entry: unknown): unknown {
    if (!Array.isArray(entry)) return original.call(this, method, path, entry);
    const [handler, route] = entry as [HonoHandler, { path?: unknown } | undefined];
    const template = route?.path;
    if (typeof handler !== 'function' || typeof template !== 'string' || (handler as { [WRAPPED]?: boolean })[WRAPPED] === true || isHonoMiddleware(handler)) {
      return original.call(this, method, path, entry);
    }
    const wrapped = function (this: unknown, c: { env?: { incoming?: IncomingMessage } }, ...rest: unknown[]): unknown {
      const incoming = c?.env?.incoming;
      if (incoming !== undefined) setHttpRoute(incoming, template);
      return handler.call(this, c, ...rest);
    };
    return original.call(this, method, path, [Object.assign(wrapped, { [WRAPPED]: true }), route]);
  });

const protoOf = (exports: unknown): { prototype?: object } | undefined => {
  const m = exports as { default?: unknown; prototype?: object } | undefined;
  if (typeof m === 'function') return m as { prototype?: object };
  return typeof m?.default === 'function' ? (m.default as { prototype?: object }) : undefined;
};

const HONO_ROUTERS = [
  ['reg-exp-router', 'RegExpRouter'],
  ['trie-router', 'TrieRouter'],
  ['linear-router', 'LinearRouter'],
  ['pattern-router', 'PatternRouter'],
] as const;

const honoRouter = (exports: unknown, name: string): unknown =>
  ((exports as Record<string, { prototype?: unknown } | undefined> | undefined)?.[name])?.prototype;

const VERSION = '0.1.0';

/** The routers the pack reads `http.route` from by patching one function each (Fastify needs none: see below). */
export class RouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('@otelkit/http/routes', VERSION, { enabled: false });
  }

  protected override init(): InstrumentationModuleDefinition[] {
    const routeFile = (name: string, versions: string[]): InstrumentationNodeModuleFile =>
      new InstrumentationNodeModuleFile(
        name,
        versions,
        (exports: unknown) => {
          routeDispatchPatch.apply(protoOf(exports)?.prototype);
          return exports;
        },
        (exports: unknown) => routeDispatchPatch.undo(protoOf(exports)?.prototype),
      );
    return [
      new InstrumentationNodeModuleDefinition(
        'find-my-way',
        ['>=7 <10'],
        (exports: unknown) => {
          findMyWayPatch.apply(protoOf(exports)?.prototype);
          return exports;
        },
        (exports: unknown) => findMyWayPatch.undo(protoOf(exports)?.prototype),
      ),
      new InstrumentationNodeModuleDefinition('router', ['>=2 <3'], undefined, undefined, [routeFile('router/lib/route.js', ['>=2 <3'])]),
      new InstrumentationNodeModuleDefinition('express', ['>=4 <5'], undefined, undefined, [routeFile('express/lib/router/route.js', ['>=4 <5'])]),
      new InstrumentationNodeModuleDefinition(
        '@koa/router',
        ['>=15 <16'],
        (exports: unknown) => {
          koaRouterPatch.apply(protoOf(exports)?.prototype);
          return exports;
        },
        (exports: unknown) => koaRouterPatch.undo(protoOf(exports)?.prototype),
      ),
      // Hono's leaf routers (its default SmartRouter hands its routes to RegExpRouter or TrieRouter), ESM and CommonJS.
      new InstrumentationNodeModuleDefinition(
        'hono',
        ['>=4 <5'],
        undefined,
        undefined,
        HONO_ROUTERS.flatMap(([dir, name]) =>
          ['dist', 'dist/cjs'].map(
            (build) =>
              new InstrumentationNodeModuleFile(
                `hono/${build}/router/${dir}/router.js`,
                ['>=4 <5'],
                (exports: unknown) => {
                  honoRouterPatch.apply(honoRouter(exports, name));
                  return exports;
                },
                (exports: unknown) => honoRouterPatch.undo(honoRouter(exports, name)),
              ),
          ),
        ),
      ),
    ];
  }
}

/** Fastify publishes the matched route on its `fastify.request.handler` tracing channel: no patching. */
export function recordFastifyRoutes(): () => void {
  const onStart = (message: unknown): void => {
    const { request, route } = message as { request?: { raw?: IncomingMessage }; route?: { url?: unknown } };
    if (request?.raw !== undefined && typeof route?.url === 'string') setHttpRoute(request.raw, route.url);
  };
  subscribe('tracing:fastify.request.handler:start', onStart);
  return () => unsubscribe('tracing:fastify.request.handler:start', onStart);
}
