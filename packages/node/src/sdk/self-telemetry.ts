import { createNoopMeter, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describeError } from '../errors.js';
import type { Logger, SummedWarnings } from '../logger.js';
import { createInstruments } from '../instruments.js';
import { selfCatalog } from './self-catalog.js';

type Warn = (key: string, message: string) => void;

// Built once: the drop hook runs for every span the full queue turns away.
const QUEUE_FULL_ATTRIBUTES = Object.freeze({ 'otelkit.reason': 'queue_full' });

/**
 * Rate-limit key for export failures of a signal. otelkit runs at most one pushing exporter per signal that can
 * fail for network reasons (OTLP), so the key is per signal; SDK diagnostics about the same outage share it.
 */
export function exportWarningKey(signal: 'metrics' | 'traces'): string {
  return `export:${signal}`;
}

const QUEUE_FULL_KEY = 'dropped:traces:queue_full';

function queueFullLine(total: number): string {
  return `otelkit: ${total} span(s) dropped because the trace export queue was full (the exporter cannot keep up or the collector is unreachable; OTEL_BSP_MAX_QUEUE_SIZE); counted in otelkit.spans.dropped, at most one such line per minute [OTELKIT_E_EXPORT]`;
}

/**
 * Counts export outcomes, dropped spans and cardinality overflows, and turns export failures into rate-limited
 * warnings. Exporters are wrapped before the meter exists; counts start once `bind` hands it a meter.
 */
export class SelfTelemetry {
  readonly #logger: Logger;
  readonly #warn: Warn;
  readonly #summed: SummedWarnings | undefined;
  #exports: Counter | undefined;
  #dropped: Counter | undefined;
  #overflows: Counter | undefined;
  #late: Counter | undefined;
  readonly #overflowed = new Set<string>();

  /** `summed` reports queue-full drops (one line per minute with their sum); without it they are only counted. */
  constructor(logger: Logger, warn: Warn, summed?: SummedWarnings) {
    this.#logger = logger;
    this.#warn = warn;
    this.#summed = summed;
  }

  bind(meter: Meter): void {
    const instruments = createInstruments(meter, selfCatalog);
    this.#exports = instruments['otelkit.exports'];
    this.#dropped = instruments['otelkit.spans.dropped'];
    this.#overflows = instruments['otelkit.metric.overflows'];
    this.#late = instruments['otelkit.metric.callbacks.late'];
  }

  /** Counts the observable callbacks a collection gave up waiting for. */
  countLateCallbacks(late: number): void {
    if (late > 0) this.#late?.add(late);
  }

  #record(signal: 'metrics' | 'traces', exporter: string, result: ExportResult, items: number): void {
    const ok = result.code === ExportResultCode.SUCCESS;
    this.#exports?.add(1, { 'otelkit.signal': signal, 'otelkit.exporter': exporter, 'otelkit.outcome': ok ? 'success' : 'failure' });
    if (ok) return;
    if (signal === 'traces') this.#dropped?.add(items, { 'otelkit.reason': 'export_failed' });
    const why = result.error === undefined ? 'unknown error' : describeError(result.error);
    this.#warn(
      exportWarningKey(signal),
      `otelkit: ${signal} export to ${exporter} failed: ${why}; this batch is dropped, the app is unaffected and otelkit retries with the next batch [OTELKIT_E_EXPORT]`,
    );
  }

  /** Notes instruments whose collection holds an overflow series (each counted and logged once). */
  checkOverflow(metrics: ResourceMetrics): void {
    for (const scope of metrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const name = metric.descriptor.name;
        if (this.#overflowed.has(name)) continue;
        const points = metric.dataPoints as readonly { attributes: Record<string, unknown> }[];
        if (points.some((p) => p.attributes['otel.metric.overflow'] === true)) {
          this.#overflowed.add(name);
          this.#overflows?.add(1, { 'otelkit.instrument': name });
          this.#logger.warn(
            `otelkit: metric ${name} exceeded the cardinality limit; further attribute sets are merged into the otel.metric.overflow=true series (put ids on spans, not metrics; see OTELKIT_CARDINALITY_LIMIT)`,
          );
        }
      }
    }
  }

  wrapMetricExporter(exporter: PushMetricExporter, label: string): PushMetricExporter {
    const wrapped: PushMetricExporter = {
      export: (metrics, done) => {
        this.checkOverflow(metrics);
        safeExport(() => exporter.export(metrics, (r) => {
          this.#record('metrics', label, r, 1);
          done(r);
        }), done);
      },
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
    };
    if (exporter.selectAggregationTemporality) wrapped.selectAggregationTemporality = exporter.selectAggregationTemporality.bind(exporter);
    if (exporter.selectAggregation) wrapped.selectAggregation = exporter.selectAggregation.bind(exporter);
    return wrapped;
  }

  wrapSpanExporter(exporter: SpanExporter, label: string): SpanExporter {
    return {
      export: (spans: ReadableSpan[], done) => {
        safeExport(() => exporter.export(spans, (r) => {
          this.#record('traces', label, r, spans.length);
          done(r);
        }), done);
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /**
   * A MeterProvider for the BatchSpanProcessor's own self-observability hook: the only thing kept from it is the
   * `queue_full` drop count, re-recorded as `otelkit.spans.dropped{otelkit.reason=queue_full}` and reported in
   * the summed once-a-minute line. The SDK's own "Dropped N spans" warning goes to debug (sdk/diag.ts): it comes
   * once per refill of the queue, and its last count is never reported, so it can be neither a budget nor a total.
   */
  spanProcessorMeterProvider(): MeterProvider {
    const noop = createNoopMeter();
    const meter: Meter = Object.create(noop) as Meter;
    meter.createCounter = (name, options) => {
      if (name !== 'otel.sdk.processor.span.processed') return noop.createCounter(name, options);
      return {
        add: (value, attributes) => {
          if (attributes?.['error.type'] !== 'queue_full') return;
          this.#dropped?.add(value, QUEUE_FULL_ATTRIBUTES);
          this.#summed?.add(QUEUE_FULL_KEY, value, queueFullLine);
        },
      };
    };
    return { getMeter: () => meter };
  }
}

function safeExport(run: () => void, done: (r: ExportResult) => void): void {
  try {
    run();
  } catch (error) {
    done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
  }
}
