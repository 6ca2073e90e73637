import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { context, type Meter, type Tracer } from '@opentelemetry/api';
import { createInstruments, isTracingSuppressed } from '@otelkit/node/kit';
import { isWrapped } from '@otelkit/node/instrumentation';
import type { Logger } from '@otelkit/node/kit';
import { catalog } from './catalog.js';
import { recordNodeHttp } from './node-http.js';
import { pathMatcher, type ResolvedHttpPackOptions } from './options.js';

const require = createRequire(import.meta.url);

interface HttpModule {
  request: unknown;
  Server: { prototype: { emit: unknown } };
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

// otelkit's exporters send with tracing suppressed. The upstream undici instrumentation then starts no span but still
// records the duration metric, so telemetry would measure its own exports; these requests are skipped entirely.
const ownTraffic = (): boolean => isTracingSuppressed(context.active());

/**
 * Starts recording node:http(s) (otelkit's own recorder, node-http.ts) and fetch (the official undici
 * instrumentation, which already works from undici's diagnostics channels; imported only now, so an app without this
 * pack never loads it). Both record `http.server.request.duration` / `http.client.request.duration` (stable semantic
 * conventions, seconds). Returns what stops them.
 */
export async function startHttpInstrumentations(
  options: ResolvedHttpPackOptions,
  meter: Meter,
  tracer: Tracer,
  logger: Logger,
): Promise<(() => void)[]> {
  const stops: (() => void)[] = [];
  if (options.server || options.client) {
    if (httpAlreadyInstrumented()) {
      logger.info('otelkit: node:http is already instrumented (an @opentelemetry/instrumentation-http registered by the app?); the http pack leaves it to that one');
    } else {
      const instruments = createInstruments(meter, catalog);
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
    }
  }
  if (options.fetch) {
    if (fetchAlreadyInstrumented()) {
      logger.info('otelkit: fetch (undici) is already instrumented (undici:request:create has subscribers); the http pack leaves it to that one');
    } else {
      const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
      const undici = new UndiciInstrumentation({ ignoreRequestHook: ownTraffic });
      stops.push(() => undici.disable());
    }
  }
  return stops;
}
