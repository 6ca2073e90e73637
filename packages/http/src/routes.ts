import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { setHttpRoute } from './route-key.js';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile, type InstrumentationModuleDefinition } from '@otelkit/node/instrumentation';

type Handler = (this: unknown, req: IncomingMessage, ...rest: unknown[]) => unknown;
const WRAPPED: unique symbol = Symbol('otelkit.http.route.handler');

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

const protoOf = (exports: unknown): { prototype?: object } | undefined => {
  const m = exports as { default?: unknown; prototype?: object } | undefined;
  if (typeof m === 'function') return m as { prototype?: object };
  return typeof m?.default === 'function' ? (m.default as { prototype?: object }) : undefined;
};

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
