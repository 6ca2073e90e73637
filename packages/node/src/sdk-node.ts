// `@otelkit/node/sdk-node`: otelkit inside an existing `new NodeSDK({...})` setup. The same telemetry as the register
// entry — readers (OTLP push, and the collector-style pull endpoint serving the OTLP reader's collection), resource,
// span processors, sampler, ids, propagators, runtime metrics, self-telemetry and the installed packs — handed to
// NodeSDK as its options. `@opentelemetry/sdk-node` is an optional peer dependency: nothing here imports it.
import { metrics, trace, type MeterProvider, type TextMapPropagator, type TracerProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { IdGenerator, Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { resolveConfig } from './config/resolve.js';
import type { ResolvedConfig } from './config/resolved.js';
import { createLogger, RateLimiter, rateLimitedWarn, SummedWarnings, type Logger } from './logger.js';
import type { LoadedPacks } from './pack-loader.js';
import type { RuntimeMetricsHandle } from './runtime/index.js';
import { routeDiagnostics } from './sdk/diag.js';
import { createMetricReaders } from './sdk/metrics.js';
import { createResource } from './sdk/resource.js';
import { SelfTelemetry } from './sdk/self-telemetry.js';
import { createTraceSetup } from './sdk/traces.js';
import { installConfiguredPropagators, loadPacksOrNone, reportProblems, startConfiguredRuntimeMetrics } from './start.js';
import type { OtelkitOptions } from './types.js';
import { VERSION } from './version.js';

/** The part of NodeSDK's configuration otelkit fills in (a structural copy of `NodeSDKConfiguration`'s fields). */
export interface OtelkitNodeSdkOptions {
  resource: Resource;
  autoDetectResources: false;
  metricReaders: IMetricReader[];
  spanProcessors: SpanProcessor[];
  sampler: Sampler;
  idGenerator: IdGenerator;
  /** null: otelkit installs the propagators it was configured with (b3 is loaded only when asked for). */
  textMapPropagator: TextMapPropagator | null;
  /** One entry, otelkit's own: it starts runtime metrics, self-telemetry and the packs once NodeSDK has providers. */
  instrumentations: OtelkitInstrumentation[];
}

/** What `otelkitSdk()` returns: the NodeSDK options, and what NodeSDK itself does not stop. */
export interface OtelkitSdk {
  readonly config: ResolvedConfig;
  /** Spread into `new NodeSDK({ ...otelkit.options, ... })`; add your own instrumentations to `instrumentations`. */
  readonly options: OtelkitNodeSdkOptions;
  /** Settles when the pull endpoint listens and every pack's setup has settled. */
  readonly ready: Promise<void>;
  /** Stops the packs, runtime metrics and the pull endpoint; call it after `sdk.shutdown()`. */
  shutdown(): Promise<void>;
}

/**
 * The instrumentation NodeSDK enables: otelkit's runtime metrics, self-telemetry and packs. NodeSDK enables its
 * instrumentations before it builds the MeterProvider (handing them the global no-op one) and sets the real one
 * afterwards, so the start waits for an SDK meter provider (one with `forceFlush`) unless no metrics are exported.
 */
class OtelkitInstrumentation {
  readonly instrumentationName: string = '@otelkit/node';
  readonly instrumentationVersion: string = VERSION;
  #enabled = false;
  #started = false;
  #meterProvider: MeterProvider | undefined;
  #tracerProvider: TracerProvider | undefined;
  readonly #needsSdkMeterProvider: boolean;
  readonly #onStart: (meterProvider: MeterProvider, tracerProvider: TracerProvider) => void;

  constructor(needsSdkMeterProvider: boolean, onStart: (meterProvider: MeterProvider, tracerProvider: TracerProvider) => void) {
    this.#needsSdkMeterProvider = needsSdkMeterProvider;
    this.#onStart = onStart;
  }

  setMeterProvider(provider: MeterProvider): void {
    this.#meterProvider = provider;
    this.#maybeStart();
  }

  setTracerProvider(provider: TracerProvider): void {
    this.#tracerProvider = provider;
  }

  getConfig(): { enabled: boolean } {
    return { enabled: this.#enabled };
  }

  setConfig(): void {}

  enable(): void {
    this.#enabled = true;
    this.#maybeStart();
  }

  /** Packs and runtime metrics stay until `otelkit.shutdown()`: NodeSDK never re-enables an instrumentation. */
  disable(): void {
    this.#enabled = false;
  }

  #maybeStart(): void {
    if (!this.#enabled || this.#started) return;
    const meterProvider = this.#meterProvider ?? metrics.getMeterProvider();
    if (this.#needsSdkMeterProvider && typeof (meterProvider as { forceFlush?: unknown }).forceFlush !== 'function') return;
    this.#started = true;
    this.#onStart(meterProvider, this.#tracerProvider ?? trace.getTracerProvider());
  }
}

/**
 * otelkit's configuration (code options > `OTEL_CONFIG_FILE` > env > defaults, as `start()`) as NodeSDK options:
 *
 * ```js
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { otelkitSdk } from '@otelkit/node/sdk-node';
 * const otelkit = otelkitSdk({ serviceName: 'shop' });
 * const sdk = new NodeSDK({ ...otelkit.options, instrumentations: [...otelkit.options.instrumentations, ...mine] });
 * sdk.start();
 * // at exit: await sdk.shutdown(); await otelkit.shutdown();
 * ```
 */
export function otelkitSdk(options: OtelkitOptions = {}): OtelkitSdk {
  const config = resolveConfig(options);
  const logger: Logger = createLogger(config.logLevel);
  reportProblems(config, logger);
  const warn = rateLimitedWarn(logger, new RateLimiter(60_000));
  routeDiagnostics(logger, config.logLevel, warn);
  const summed = new SummedWarnings(logger, 60_000);
  const self = new SelfTelemetry(logger, warn, summed);
  const metricReaders = createMetricReaders(config, self, logger);
  const traces = createTraceSetup(config, self, logger);

  let runtime: RuntimeMetricsHandle | undefined;
  let packs: LoadedPacks | undefined;
  let resolveStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    resolveStarted = resolve;
  });
  const instrumentation = new OtelkitInstrumentation(metricReaders.readers.length > 0, (meterProvider, tracerProvider) => {
    self.bind(meterProvider.getMeter('otelkit', VERSION));
    runtime = startConfiguredRuntimeMetrics(config, meterProvider, logger);
    const propagators = installConfiguredPropagators(config, logger);
    packs = loadPacksOrNone({ config, meterProvider, tracerProvider, logger });
    void Promise.allSettled([metricReaders.ready, propagators, packs?.ready]).then(() => {
      logger.info(
        `otelkit: started in NodeSDK service=${config.serviceName} metrics=${metricReaders.describe().join('+')} traces=${traces.describe().join('+')} packs=[${packs?.loaded.join(',') ?? ''}]`,
      );
      resolveStarted();
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    options: {
      resource: createResource(config),
      autoDetectResources: false,
      metricReaders: metricReaders.readers,
      spanProcessors: traces.spanProcessors,
      sampler: traces.sampler,
      idGenerator: traces.idGenerator,
      textMapPropagator: null,
      instrumentations: [instrumentation],
    },
    ready: started,
    shutdown: () => {
      stopping ??= (async () => {
        await packs?.dispose().catch(() => undefined);
        runtime?.stop();
        await metricReaders.standalonePull?.shutdown().catch(() => undefined);
        summed.flush();
      })();
      return stopping;
    },
  };
}
