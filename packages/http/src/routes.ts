import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
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

/** find-my-way: each handler registered with `on()` (and get/post/all, which call it) reports its path. */
function patchFindMyWay(proto: { on?: (...args: unknown[]) => unknown } | undefined): void {
  if (proto?.on === undefined || (proto.on as { [WRAPPED]?: boolean })[WRAPPED] === true) return;
  const original = proto.on;
  const on = function on(this: unknown, method: unknown, path: unknown, opts: unknown, handler: unknown, store: unknown): unknown {
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
  };
  proto.on = Object.assign(on, { [WRAPPED]: true, __original: original });
}

function unpatchFindMyWay(proto: { on?: (...args: unknown[]) => unknown } | undefined): void {
  const current = proto?.on as { __original?: (...args: unknown[]) => unknown } | undefined;
  if (proto !== undefined && current?.__original !== undefined) proto.on = current.__original;
}

interface RouteProto {
  dispatch?: (this: { path?: unknown }, req: IncomingMessage & { baseUrl?: string }, ...rest: unknown[]) => unknown;
}

/** Express (4's own router, 5's `router` package): a route reports `baseUrl + path` when it dispatches. */
function patchRouteDispatch(proto: RouteProto | undefined): void {
  if (proto?.dispatch === undefined || (proto.dispatch as { [WRAPPED]?: boolean })[WRAPPED] === true) return;
  const original = proto.dispatch;
  const dispatch = function dispatch(this: { path?: unknown }, req: IncomingMessage & { baseUrl?: string }, ...rest: unknown[]): unknown {
    if (typeof this.path === 'string') setHttpRoute(req, `${req.baseUrl ?? ''}${this.path}`);
    return original.call(this, req, ...rest);
  };
  proto.dispatch = Object.assign(dispatch, { [WRAPPED]: true, __original: original });
}

function unpatchRouteDispatch(proto: RouteProto | undefined): void {
  const current = proto?.dispatch as { __original?: RouteProto['dispatch'] } | undefined;
  if (proto !== undefined && current?.__original !== undefined) proto.dispatch = current.__original;
}

interface KoaRouterProto {
  middleware?: (this: unknown, ...args: unknown[]) => unknown;
}

type KoaDispatch = ((this: unknown, ctx: { req?: IncomingMessage }, next: unknown) => unknown) & { router?: unknown };

/**
 * `@koa/router`: the middleware `routes()` returns hands the request its Koa context, whose `_matchedRoute` the router
 * sets to the matched layer's path (prefixes and nested routers included) and which is read when the request ends.
 */
function patchKoaRouter(proto: KoaRouterProto | undefined): void {
  if (proto?.middleware === undefined || (proto.middleware as { [WRAPPED]?: boolean })[WRAPPED] === true) return;
  const original = proto.middleware;
  const middleware = function middleware(this: unknown, ...args: unknown[]): unknown {
    const dispatch = original.apply(this, args) as KoaDispatch;
    if (typeof dispatch !== 'function') return dispatch;
    const wrapped: KoaDispatch = function (this: unknown, ctx, next) {
      if (ctx?.req !== undefined) setKoaContext(ctx.req, ctx);
      return dispatch.call(this, ctx, next);
    };
    // router.use(nested.routes()) recognizes a nested router by this property and copies its layers.
    wrapped.router = dispatch.router;
    return wrapped;
  };
  proto.middleware = Object.assign(middleware, { [WRAPPED]: true, __original: original });
}

function unpatchKoaRouter(proto: KoaRouterProto | undefined): void {
  const current = proto?.middleware as { __original?: KoaRouterProto['middleware'] } | undefined;
  if (proto !== undefined && current?.__original !== undefined) proto.middleware = current.__original;
}

interface HonoRouterProto {
  add?: (this: unknown, method: unknown, path: unknown, handler: unknown) => unknown;
}

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
function patchHonoRouter(proto: HonoRouterProto | undefined): void {
  if (proto?.add === undefined || (proto.add as { [WRAPPED]?: boolean })[WRAPPED] === true) return;
  const original = proto.add;
  const add = function add(this: unknown, method: unknown, path: unknown, entry: unknown): unknown {
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
  };
  proto.add = Object.assign(add, { [WRAPPED]: true, __original: original });
}

function unpatchHonoRouter(proto: HonoRouterProto | undefined): void {
  const current = proto?.add as { __original?: HonoRouterProto['add'] } | undefined;
  if (proto !== undefined && current?.__original !== undefined) proto.add = current.__original;
}

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

const honoRouter = (exports: unknown, name: string): HonoRouterProto | undefined =>
  ((exports as Record<string, { prototype?: HonoRouterProto } | undefined> | undefined)?.[name])?.prototype;

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
          patchRouteDispatch(protoOf(exports)?.prototype as RouteProto | undefined);
          return exports;
        },
        (exports: unknown) => unpatchRouteDispatch(protoOf(exports)?.prototype as RouteProto | undefined),
      );
    return [
      new InstrumentationNodeModuleDefinition(
        'find-my-way',
        ['>=7 <10'],
        (exports: unknown) => {
          patchFindMyWay(protoOf(exports)?.prototype as { on?: (...args: unknown[]) => unknown });
          return exports;
        },
        (exports: unknown) => unpatchFindMyWay(protoOf(exports)?.prototype as { on?: (...args: unknown[]) => unknown }),
      ),
      new InstrumentationNodeModuleDefinition('router', ['>=2 <3'], undefined, undefined, [routeFile('router/lib/route.js', ['>=2 <3'])]),
      new InstrumentationNodeModuleDefinition('express', ['>=4 <5'], undefined, undefined, [routeFile('express/lib/router/route.js', ['>=4 <5'])]),
      new InstrumentationNodeModuleDefinition(
        '@koa/router',
        ['>=15 <16'],
        (exports: unknown) => {
          patchKoaRouter(protoOf(exports)?.prototype as KoaRouterProto | undefined);
          return exports;
        },
        (exports: unknown) => unpatchKoaRouter(protoOf(exports)?.prototype as KoaRouterProto | undefined),
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
                  patchHonoRouter(honoRouter(exports, name));
                  return exports;
                },
                (exports: unknown) => unpatchHonoRouter(honoRouter(exports, name)),
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
