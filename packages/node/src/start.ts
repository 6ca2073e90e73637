import { context, metrics, propagation, trace, type MeterProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resolveConfig } from './config/resolve.js';
import type { ResolvedConfig } from './config/resolved.js';
import { describeError, formatProblem } from './errors.js';
import { createLogger, RateLimiter, rateLimitedWarn, SummedWarnings, type Logger } from './logger.js';
import { loadPacks, type LoadedPacks, type PackLoaderDeps } from './pack-loader.js';
import { startRuntimeMetrics, type RuntimeMetricsHandle } from './runtime/index.js';
import { routeDiagnostics } from './sdk/diag.js';
import { createMetricsPipeline } from './sdk/metrics.js';
import { describePropagators, installPropagators } from './sdk/propagation.js';
import { createResource } from './sdk/resource.js';
import { describeSampler } from './sdk/sampler.js';
import { secondsBucketsProvider } from './sdk/seconds-buckets.js';
import { SelfTelemetry } from './sdk/self-telemetry.js';
import { createTracesPipeline } from './sdk/traces.js';
import type { OtelkitHandle, OtelkitOptions } from './types.js';
import { VERSION } from './version.js';

/** The handle `start()` returns; `ready` settles once exporters are loaded and async pack setups finished. */
export interface StartedOtelkit extends OtelkitHandle {
  /** Settles (never rejects) when exporter modules are loaded, the pull endpoint listens and packs are set up. */
  readonly ready: Promise<void>;
  /** The configuration in effect. */
  readonly config: ResolvedConfig;
}

const STARTED: unique symbol = Symbol.for('otelkit.started');
type GlobalWithOtelkit = typeof globalThis & { [STARTED]?: StartedOtelkit };

function withTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

function noopHandle(config: ResolvedConfig): StartedOtelkit {
  return { config, ready: Promise.resolve(), shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() };
}

/** Reports config problems; under OTELKIT_STRICT=true ends the process with code 1 after reporting them. */
export function reportProblems(config: ResolvedConfig, logger: Logger): void {
  for (const problem of config.problems) logger.warn(`otelkit: ${formatProblem(problem)}`);
  if (config.strict && config.problems.length > 0) {
    logger.error(`otelkit: OTELKIT_STRICT=true and ${config.problems.length} configuration value(s) above are invalid; exiting with code 1 [OTELKIT_E_STRICT]`);
    process.exit(1);
  }
}

/** Runtime metrics on `meterProvider` when configured; a failure to start them is one warning, never an exception. */
export function startConfiguredRuntimeMetrics(config: ResolvedConfig, meterProvider: MeterProvider, logger: Logger): RuntimeMetricsHandle | undefined {
  if (!config.metrics.runtime || config.metrics.exporters.includes('none')) return undefined;
  try {
    return startRuntimeMetrics(meterProvider.getMeter('@otelkit/node', VERSION));
  } catch (error) {
    logger.warn(`otelkit: runtime metrics could not start: ${describeError(error)} [OTELKIT_E_INTERNAL]`);
    return undefined;
  }
}

/** Installs the configured propagators; b3 that cannot be loaded is one warning and leaves tracecontext,baggage. */
export function installConfiguredPropagators(config: ResolvedConfig, logger: Logger): Promise<void> {
  return installPropagators(config.propagators).catch((error: unknown) => {
    logger.warn(`otelkit: OTEL_PROPAGATORS includes b3 but @opentelemetry/propagator-b3 could not be loaded (${describeError(error)}); using tracecontext,baggage only`);
  });
}

/** The packs, or none when loading itself fails (one error line; the app carries on). */
export function loadPacksOrNone(deps: PackLoaderDeps): LoadedPacks {
  try {
    return loadPacks(deps);
  } catch (error) {
    deps.logger.error(`otelkit: pack loading failed: ${describeError(error)}; no packs are active [OTELKIT_E_INTERNAL]`);
    return { loaded: [], skipped: [], ready: Promise.resolve(), dispose: () => Promise.resolve() };
  }
}

/**
 * Starts OpenTelemetry for this process: resource, metrics (OTLP push + Prometheus pull by default), traces
 * (OTLP/HTTP by default), propagators, context, and the installed feature packs. Calling it again returns the
 * first handle. Invalid code options throw `OtelkitError`; everything else degrades to a logged line.
 */
export function start(options: OtelkitOptions = {}): StartedOtelkit {
  return startWith(options, {});
}

/** Hooks the register entry needs; not part of the public API. */
export interface StartHooks {
  /** Runs once before the first pack is imported; skipped entirely when no pack is enabled. */
  readonly beforeFirstPack?: () => void;
  /** Told each enabled pack's `patches` before its setup. */
  readonly declarePatches?: (modules: readonly string[]) => void;
}

/** `start()` with internal hooks, for the register entry. */
export function startWith(options: OtelkitOptions, hooks: StartHooks): StartedOtelkit {
  const g = globalThis as GlobalWithOtelkit;
  const existing = g[STARTED];
  if (existing !== undefined) return existing;

  const config = resolveConfig(options);
  const logger = createLogger(config.logLevel);
  reportProblems(config, logger);
  if (config.disabled) {
    logger.info('otelkit: disabled (OTEL_SDK_DISABLED=true or disabled: true); nothing is exported');
    return (g[STARTED] = noopHandle(config));
  }

  const warn = rateLimitedWarn(logger, new RateLimiter(60_000));
  routeDiagnostics(logger, config.logLevel, warn);
  const resource = createResource(config);
  const summed = new SummedWarnings(logger, 60_000);
  const self = new SelfTelemetry(logger, warn, summed);

  const metricsPipeline = createMetricsPipeline(config, resource, self, logger);
  const meterProvider = metricsPipeline.provider;
  self.bind(meterProvider.getMeter('otelkit', VERSION));
  const globalMeterProvider = secondsBucketsProvider(meterProvider);
  metrics.setGlobalMeterProvider(globalMeterProvider);

  const runtime = startConfiguredRuntimeMetrics(config, meterProvider, logger);

  const tracesPipeline = createTracesPipeline(config, resource, self, logger);
  const tracerProvider = tracesPipeline.provider;
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  const propagatorsReady = installConfiguredPropagators(config, logger);
  const packs = loadPacksOrNone({ config, meterProvider: globalMeterProvider, tracerProvider, logger, ...hooks });

  const ready = Promise.allSettled([metricsPipeline.ready, tracesPipeline.ready, propagatorsReady, packs.ready]).then(() => {
    const skipped = packs.skipped.map((s) => `${s.name} (${s.reason.split(';')[0] ?? s.reason})`);
    logger.info(
      `otelkit: started service=${config.serviceName} metrics=${metricsPipeline.describe().join('+')} ` +
        `traces=${tracesPipeline.describe().join('+')} packs=[${packs.loaded.join(',')}] skipped=[${skipped.join(', ')}]`,
    );
    logger.debug(
      `otelkit: config version=${VERSION} service.name from ${config.serviceNameSource} config_file=${config.configFile ?? 'none'} ` +
        `sampler=${describeSampler(config.traces.sampler)} propagators=${describePropagators(config.propagators)} ` +
        `export_interval=${config.metrics.exportIntervalMillis}ms cardinality_limit=${config.metrics.cardinalityLimit} ` +
        `namespace=${config.metrics.namespace === '' ? 'none' : config.metrics.namespace} runtime_metrics=${config.metrics.runtime} ` +
        `app_package_json=${config.appPackageJson ?? 'none'}`,
    );
  });

  let stopping: Promise<void> | undefined;
  const handle: StartedOtelkit = {
    config,
    ready,
    forceFlush: async () => {
      const done = await withTimeout(
        Promise.allSettled([meterProvider.forceFlush(), tracerProvider.forceFlush()]),
        config.shutdownTimeoutMillis,
      );
      if (!done) logger.warn(`otelkit: flush did not finish within ${config.shutdownTimeoutMillis} ms [OTELKIT_E_SHUTDOWN_TIMEOUT]`);
    },
    shutdown: () => {
      stopping ??= (async () => {
        const work = (async () => {
          await packs.dispose().catch(() => undefined);
          runtime?.stop();
          // Traces first: ending spans may still record metrics that the final metric export should carry.
          await tracerProvider.shutdown().catch(() => undefined);
          // From here the API hands out no-op meters: asking a shut-down SDK provider for one (a pack's late binding,
          // the app's own shutdown code) would print the SDK's "A shutdown MeterProvider cannot provide a Meter".
          metrics.disable();
          await metricsPipeline.shutdown();
        })();
        const done = await withTimeout(work, config.shutdownTimeoutMillis);
        if (!done) {
          logger.warn(`otelkit: shutdown flush did not finish within ${config.shutdownTimeoutMillis} ms; unsent telemetry is dropped (OTELKIT_SHUTDOWN_TIMEOUT_MS) [OTELKIT_E_SHUTDOWN_TIMEOUT]`);
        }
        // The last drops, which no later once-a-minute line would report now.
        summed.flush();
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
        if (g[STARTED] === handle) delete g[STARTED];
      })();
      return stopping;
    },
  };
  g[STARTED] = handle;
  return handle;
}
