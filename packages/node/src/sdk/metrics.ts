import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type CollectionResult,
  type IMetricReader,
  type PeriodicExportingMetricReaderOptions,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config/resolved.js';
import type { Logger } from '../logger.js';
import { createPrometheusPullReader, lateCallbacks, type PrometheusPullReader } from '../prometheus/pull-reader.js';
import { lazyMetricExporter, otlpLabel } from './exporters.js';
import type { SelfTelemetry } from './self-telemetry.js';

/** The metrics side of the SDK as start() wires it. */
export interface MetricsPipeline {
  readonly provider: MeterProvider;
  /** One short description per exporter, for the preamble. */
  describe(): string[];
  /** Settles when the pull endpoint listens (or gave up). */
  readonly ready: Promise<unknown>;
  /** Flushes and stops the provider and the pull endpoint. Never rejects. */
  shutdown(): Promise<void>;
}

/**
 * The OTLP reader, counting the callbacks each of its collections gave up on. The pull endpoint serves this
 * reader's collection too, so pushes and scrapes are counted in one place.
 */
class CountingPeriodicReader extends PeriodicExportingMetricReader {
  readonly #self: SelfTelemetry;

  constructor(options: PeriodicExportingMetricReaderOptions, self: SelfTelemetry) {
    super(options);
    this.#self = self;
  }

  override async collect(options?: { timeoutMillis?: number }): Promise<CollectionResult> {
    const result = await super.collect(options);
    this.#self.countLateCallbacks(lateCallbacks(result.errors));
    return result;
  }
}

/** The readers otelkit's configuration asks for, before any MeterProvider exists (NodeSDK builds its own). */
export interface MetricReaders {
  /** To register on the MeterProvider. */
  readonly readers: IMetricReader[];
  /** The pull endpoint when it serves the OTLP reader's collection: not registered, shut down by the caller. */
  readonly standalonePull: PrometheusPullReader | undefined;
  describe(): string[];
  readonly ready: Promise<unknown>;
}

export function createMetricsPipeline(config: ResolvedConfig, resource: Resource, self: SelfTelemetry, logger: Logger): MetricsPipeline {
  const { readers, standalonePull, describe, ready } = createMetricReaders(config, self, logger);
  const provider = new MeterProvider({ resource, readers });
  return {
    provider,
    describe,
    ready,
    shutdown: async () => {
      await provider.shutdown().catch(() => undefined);
      await standalonePull?.shutdown().catch(() => undefined);
    },
  };
}

export function createMetricReaders(config: ResolvedConfig, self: SelfTelemetry, logger: Logger): MetricReaders {
  const m = config.metrics;
  const readers: IMetricReader[] = [];
  const waits: Promise<unknown>[] = [];
  const labels: (() => string)[] = [];
  const interval = m.exportIntervalMillis;
  const timeout = Math.max(1, Math.min(m.exportTimeoutMillis, interval));
  const limit = m.cardinalityLimit;

  let otlpReader: PeriodicExportingMetricReader | undefined;
  if (m.exporters.includes('otlp')) {
    const label = otlpLabel(m.otlp);
    const exporter = lazyMetricExporter(m.otlp, logger);
    otlpReader = new CountingPeriodicReader(
      {
        exporter: self.wrapMetricExporter(exporter, label),
        exportIntervalMillis: interval,
        exportTimeoutMillis: timeout,
        cardinalityLimits: { default: limit },
      },
      self,
    );
    readers.push(otlpReader);
    labels.push(() => otlpLabel(m.otlp, true));
  }
  let standalonePull: PrometheusPullReader | undefined;
  if (m.exporters.includes('prometheus')) {
    const p = m.prometheus;
    // Pull-only: scrapes go through this source so cardinality overflows are noticed as on the push path.
    const ownCollection = {
      collect: async (options?: { timeoutMillis?: number }): Promise<CollectionResult> => {
        const result = await reader.collect(options);
        self.checkOverflow(result.resourceMetrics);
        self.countLateCallbacks(lateCallbacks(result.errors));
        return result;
      },
    };
    const reader: PrometheusPullReader = createPrometheusPullReader({
      host: p.host,
      port: p.port,
      ...(p.auth === undefined ? {} : { auth: p.auth }),
      // The reader words its own listen warning; otelkit adds the catalogue code so every line is greppable.
      logger: { ...logger, warn: (message) => logger.warn(/could not listen/.test(message) ? `${message} [OTELKIT_E_PROMETHEUS_LISTEN]` : message) },
      cardinalitySelector: () => limit,
      collectTimeoutMillis: p.collectTimeoutMillis,
      naming: p.naming,
      // With OTLP on too, the endpoint serves the OTLP reader's cumulative collection: each measurement is then
      // aggregated once instead of once per reader, and both paths show the same numbers.
      source: otlpReader ?? ownCollection,
    });
    waits.push(reader.ready);
    if (otlpReader === undefined) readers.push(reader);
    else standalonePull = reader;
    const configured = `http://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}/metrics`;
    labels.push(() => {
      const url = reader.url;
      const shown = url === undefined ? `${configured} not listening` : p.port === 0 ? url : configured;
      return `prometheus(${shown}${p.auth === undefined ? '' : ` auth=${p.auth.type}`})`;
    });
  }
  if (m.exporters.includes('console')) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: self.wrapMetricExporter(new ConsoleMetricExporter(), 'console'),
        exportIntervalMillis: interval,
        exportTimeoutMillis: timeout,
        cardinalityLimits: { default: limit },
      }),
    );
    labels.push(() => 'console');
  }

  return {
    readers,
    standalonePull,
    describe: () => (labels.length === 0 ? ['none'] : labels.map((l) => l())),
    ready: Promise.all(waits),
  };
}
