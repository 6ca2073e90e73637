import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { Meter, Tracer } from '@opentelemetry/api';
import { createInstruments } from '@otelkit/node/kit';
import type { Logger } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import { recordFetch } from './fetch.js';
import { recordNodeHttp } from './node-http.js';
import { pathMatcher, type ResolvedHttpPackOptions } from './options.js';
import { recordFastifyRoutes, RouteInstrumentation } from './routes.js';

const require = createRequire(import.meta.url);

interface HttpModule {
  request: unknown;
  Server: { prototype: { emit: unknown } };
}

/** shimmer's mark, which every instrumentation built on it (and otelkit's own emit wrapper) leaves. */
function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { __wrapped?: unknown }).__wrapped === true;
}

/** True when something (an upstream instrumentation registered by the app, an APM agent) already wraps node:http. */
export function httpAlreadyInstrumented(): boolean {
  const http = require('node:http') as HttpModule;
  return isWrapped(http.request) || isWrapped(http.Server.prototype.emit);
}

/** True when something already listens to undici's request channel (the upstream undici instrumentation, an APM). */
export function fetchAlreadyInstrumented(): boolean {
  return channel('undici:request:create').hasSubscribers;
}

/**
 * Starts recording node:http(s) (node-http.ts) and fetch (fetch.ts), both from node's diagnostics channels, into
 * `http.server.request.duration` / `http.client.request.duration` (stable semantic conventions, seconds). Returns
 * what stops them.
 */
export function startHttpInstrumentations(
  options: ResolvedHttpPackOptions,
  meter: Meter,
  tracer: Tracer,
  logger: Logger,
): (() => void)[] {
  const stops: (() => void)[] = [];
  const instruments = createInstruments(meter, catalog);
  if (options.server || options.client) {
    if (httpAlreadyInstrumented()) {
      logger.info('otelkit: node:http is already instrumented (an @opentelemetry/instrumentation-http registered by the app?); the http pack leaves it to that one');
    } else {
      stops.push(
        recordNodeHttp({
          tracer,
          serverDuration: instruments['http.server.request.duration'],
          clientDuration: instruments['http.client.request.duration'],
          server: options.server,
          client: options.client,
          ignore: pathMatcher(options.ignorePaths),
        }),
      );
      if (options.server) {
        // http.route from the routers: find-my-way and Express by one patched function each, Fastify by its channel.
        const routes = new RouteInstrumentation();
        routes.enable();
        stops.push(() => routes.disable(), recordFastifyRoutes());
      }
    }
  }
  if (options.fetch) {
    if (fetchAlreadyInstrumented()) {
      logger.info('otelkit: fetch (undici) is already instrumented (undici:request:create has subscribers); the http pack leaves it to that one');
    } else {
      stops.push(recordFetch(tracer, instruments['http.client.request.duration']));
    }
  }
  return stops;
}
