import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@otelkit/node/kit';
import { isWrapped, type Instrumentation } from '@otelkit/node/instrumentation';
import type { Logger } from '@otelkit/node/kit';
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

// otelkit's exporters send with tracing suppressed. The upstream instrumentations then start no span but still
// record the duration metric, so telemetry would measure its own exports; these requests are skipped entirely.
const ownTraffic = (): boolean => isTracingSuppressed(context.active());

/**
 * Starts the official instrumentations (imported only now, so an app without this pack never loads them) and
 * returns them for `disable()`. The upstream modules record `http.server.request.duration` and
 * `http.client.request.duration` (stable semantic conventions, seconds) through the global providers core set.
 */
export async function startHttpInstrumentations(options: ResolvedHttpPackOptions, logger: Logger): Promise<Instrumentation[]> {
  const started: Instrumentation[] = [];
  if (options.server || options.client) {
    if (httpAlreadyInstrumented()) {
      logger.info('otelkit: node:http is already instrumented (an @opentelemetry/instrumentation-http registered by the app?); the http pack leaves it to that one');
    } else {
      const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
      const ignored = pathMatcher(options.ignorePaths);
      // Constructed enabled (the default): the instrumentations read `config.enabled` on every request too.
      const http = new HttpInstrumentation({
        disableIncomingRequestInstrumentation: !options.server,
        disableOutgoingRequestInstrumentation: !options.client,
        ignoreIncomingRequestHook: (request) => ignored(request.url),
        ignoreOutgoingRequestHook: ownTraffic,
      });
      // Core loaded node:http before packs were set up, and the require hook only patches on a later require: ask
      // for the builtins once so the shared module objects (and Server.prototype) are patched now.
      require('node:http');
      require('node:https');
      started.push(http);
    }
  }
  if (options.fetch) {
    if (fetchAlreadyInstrumented()) {
      logger.info('otelkit: fetch (undici) is already instrumented (undici:request:create has subscribers); the http pack leaves it to that one');
    } else {
      const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
      const undici = new UndiciInstrumentation({ ignoreRequestHook: ownTraffic });
      started.push(undici);
    }
  }
  return started;
}
