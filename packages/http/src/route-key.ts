import type { IncomingMessage } from 'node:http';

// `http.route`: the route template that matched an inbound request (`/accounts/:id`, never the raw path), which the
// server side reads when the response ends (node-http.ts). Routers report it here; the key is a global symbol so
// the app's copy of this module (`setHttpRoute` from `@otelkit/http`) and the pack's agree.
const ROUTE: unique symbol = Symbol.for('otelkit.http.route');

type Routed = IncomingMessage & { [ROUTE]?: string };

/**
 * Sets the route template of an inbound request, for routers otelkit does not know: the SERVER span is named
 * `<METHOD> <route>` and `http.server.request.duration` gets `http.route`. Call it from the matched route's handler
 * or a middleware after routing, with the template (`/accounts/:id`), never the raw path: every distinct value is a
 * new series. The last call before the response ends wins. Without the http pack it only marks the request.
 */
export function setHttpRoute(request: IncomingMessage, route: string): void {
  if (typeof route === 'string' && route !== '') (request as Routed)[ROUTE] = route;
}

/** The route reported for a request, if any. */
export function httpRouteOf(request: IncomingMessage | undefined): string | undefined {
  return (request as Routed | undefined)?.[ROUTE];
}
