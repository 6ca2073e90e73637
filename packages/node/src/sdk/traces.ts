import { BatchSpanProcessor, ConsoleSpanExporter, TracerProvider, type IdGenerator, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config/resolved.js';
import type { Logger } from '../logger.js';
import { lazySpanExporter, otlpLabel } from './exporters.js';
import { createSampler } from './sampler.js';
import type { SelfTelemetry } from './self-telemetry.js';
import { PooledRandomIdGenerator } from './id-generator.js';

export interface TracesPipeline {
  readonly provider: TracerProvider;
  describe(): string[];
  readonly ready: Promise<unknown>;
}

/** What a TracerProvider needs from otelkit's configuration (NodeSDK builds its own provider from these). */
export interface TraceSetup {
  readonly spanProcessors: SpanProcessor[];
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  describe(): string[];
}

export function createTracesPipeline(config: ResolvedConfig, resource: Resource, self: SelfTelemetry, logger: Logger): TracesPipeline {
  const { spanProcessors, sampler, idGenerator, describe } = createTraceSetup(config, self, logger);
  const provider = new TracerProvider({ resource, sampler, spanProcessors, idGenerator });
  return { provider, describe, ready: Promise.resolve([]) };
}

export function createTraceSetup(config: ResolvedConfig, self: SelfTelemetry, logger: Logger): TraceSetup {
  const t = config.traces;
  // Passed explicitly: the SDK's batch processor reads no OTEL_BSP_* variables itself, and resolveConfig has
  // already validated them and kept the batch size within the queue, so the SDK has nothing to warn about.
  const batch = { scheduledDelayMillis: t.batch.scheduleDelayMillis, exportTimeoutMillis: t.batch.exportTimeoutMillis, maxQueueSize: t.batch.maxQueueSize, maxExportBatchSize: t.batch.maxExportBatchSize };
  const processors: SpanProcessor[] = [];
  const labels: string[] = [];
  if (t.exporters.includes('otlp')) {
    const label = otlpLabel(t.otlp);
    const exporter = lazySpanExporter(t.otlp, logger);
    processors.push(
      new BatchSpanProcessor({
        exporter: self.wrapSpanExporter(exporter, label),
        ...batch,
        selfObsMeterProvider: self.spanProcessorMeterProvider(),
      }),
    );
    labels.push(otlpLabel(t.otlp, true));
  }
  if (t.exporters.includes('console')) {
    processors.push(
      new BatchSpanProcessor({
        exporter: self.wrapSpanExporter(new ConsoleSpanExporter(), 'console'),
        ...batch,
        selfObsMeterProvider: self.spanProcessorMeterProvider(),
      }),
    );
    labels.push('console');
  }
  return { spanProcessors: processors, sampler: createSampler(t.sampler), idGenerator: new PooledRandomIdGenerator(), describe: () => (labels.length === 0 ? ['none'] : labels) };
}
