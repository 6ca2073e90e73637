import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config/resolved.js';
import type { Logger } from '../logger.js';
import { createPrometheusPullReader, type PrometheusPullReader } from '../prometheus/pull-reader.js';
import { lazyMetricExporter, otlpLabel } from './exporters.js';
import type { SelfTelemetry } from './self-telemetry.js';

/** The metrics side of the SDK as start() wires it. */
export interface MetricsPipeline {
  readonly provider: MeterProvider;
  /** One short description per exporter, for the preamble. */
  describe(): string[];
  /** Settles when exporter modules are loaded and the pull endpoint listens (or gave up). */
  readonly ready: Promise<unknown>;
}

export function createMetricsPipeline(config: ResolvedConfig, resource: Resource, self: SelfTelemetry, logger: Logger): MetricsPipeline {
  const m = config.metrics;
  const readers: IMetricReader[] = [];
  const waits: Promise<unknown>[] = [];
  const labels: (() => string)[] = [];
  const interval = m.exportIntervalMillis;
  const timeout = Math.max(1, Math.min(m.exportTimeoutMillis, interval));
  const limit = m.cardinalityLimit;

  if (m.exporters.includes('otlp')) {
    const label = otlpLabel(m.otlp);
    const exporter = lazyMetricExporter(m.otlp, logger);
    waits.push(exporter.ready);
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: self.wrapMetricExporter(exporter, label),
        exportIntervalMillis: interval,
        exportTimeoutMillis: timeout,
        cardinalityLimits: { default: limit },
      }),
    );
    labels.push(() => otlpLabel(m.otlp, true));
  }
  if (m.exporters.includes('prometheus')) {
    const p = m.prometheus;
    const reader: PrometheusPullReader = createPrometheusPullReader({
      host: p.host,
      port: p.port,
      ...(p.auth === undefined ? {} : { auth: p.auth }),
      logger,
      cardinalitySelector: () => limit,
    });
    waits.push(reader.ready);
    readers.push(reader);
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

  const provider = new MeterProvider({ resource, readers });
  return {
    provider,
    describe: () => (labels.length === 0 ? ['none'] : labels.map((l) => l())),
    ready: Promise.all(waits),
  };
}
