import type { IncomingMessage } from 'node:http';

// `http.route`: the route template that matched an inbound request (`/accounts/:id`, never the raw path), which the
// server side reads when the response ends (node-http.ts). Routers report it here; the key is a global symbol so
// the app's copy of this module (`setHttpRoute` from `@otelkit/http`) and the pack's agree.
const ROUTE: unique symbol = Symbol.for('otelkit.http.route');

// A Koa context whose router (`@koa/router`) matched the request keeps the route in `_matchedRoute` until the end:
// the request holds its context instead of being told each step (routes.ts).
const KOA_CONTEXT: unique symbol = Symbol('otelkit.http.koa');

interface KoaContext {
  readonly _matchedRoute?: unknown;
}

type Routed = IncomingMessage & { [ROUTE]?: string; [KOA_CONTEXT]?: KoaContext };

/**
 * Sets the route template of an inbound request, for routers otelkit does not know: the SERVER span is named
 * `<METHOD> <route>` and `http.server.request.duration` gets `http.route`. Call it from the matched route's handler
 * or a middleware after routing, with the template (`/accounts/:id`), never the raw path: every distinct value is a
 * new series. The last call before the response ends wins. Without the http pack it only marks the request.
 */
export function setHttpRoute(request: IncomingMessage, route: string): void {
  if (typeof route === 'string' && route !== '') (request as Routed)[ROUTE] = route;
}

/** Marks the Koa context a `@koa/router` dispatched the request in; its matched route is read when the request ends. */
export function setKoaContext(request: IncomingMessage, context: object): void {
  (request as Routed)[KOA_CONTEXT] = context as KoaContext;
}

/** The route reported for a request (`setHttpRoute` wins over a Koa router's match), if any. */
export function httpRouteOf(request: IncomingMessage | undefined): string | undefined {
  const routed = request as Routed | undefined;
  const route = routed?.[ROUTE];
  if (route !== undefined) return route;
  const matched = routed?.[KOA_CONTEXT]?._matchedRoute;
  return typeof matched === 'string' && matched !== '' ? matched : undefined;
}
