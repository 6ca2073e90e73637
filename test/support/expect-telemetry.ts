// Declarative assertions on what a receiver got: describe the metric or span, get it back or a clear failure.
import type { Attributes, OtlpReceiver, ReceivedMetric, ReceivedPoint, ReceivedSpan, Transport } from './otlp-receiver.ts';

function matches(actual: Attributes, expected: Attributes | undefined): boolean {
  if (expected === undefined) return true;
  return Object.entries(expected).every(([k, v]) => JSON.stringify(actual[k]) === JSON.stringify(v));
}

export interface MetricExpectation {
  readonly name: string;
  readonly attributes?: Attributes;
  /** Sum or gauge value of the matching point (cumulative metrics: the latest export). */
  readonly value?: number;
  /** Histogram count of the matching point. */
  readonly count?: number;
  readonly unit?: string;
  readonly transport?: Transport;
  readonly resource?: Attributes;
}

function findPoint(receiver: OtlpReceiver, e: MetricExpectation): { metric: ReceivedMetric; point: ReceivedPoint } | undefined {
  // Latest export first: cumulative points only grow, and the latest carries the final value.
  for (const metric of [...receiver.metrics].reverse()) {
    if (metric.name !== e.name) continue;
    if (e.unit !== undefined && metric.unit !== e.unit) continue;
    if (e.transport !== undefined && metric.transport !== e.transport) continue;
    if (!matches(metric.resource, e.resource)) continue;
    const point = metric.points.find((p) => matches(p.attributes, e.attributes));
    if (point === undefined) continue;
    if (e.value !== undefined && point.value !== e.value) continue;
    if (e.count !== undefined && point.count !== e.count) continue;
    return { metric, point };
  }
  return undefined;
}

function describeReceived(receiver: OtlpReceiver): string {
  const names = [...new Set(receiver.metrics.map((m) => m.name))];
  return `received ${receiver.metrics.length} metric records (${names.slice(0, 30).join(', ')})`;
}

/** Waits until a matching metric point arrived and returns it. */
export async function expectMetric(receiver: OtlpReceiver, e: MetricExpectation, timeoutMs?: number): Promise<{ metric: ReceivedMetric; point: ReceivedPoint }> {
  try {
    await receiver.waitFor((r) => findPoint(r, e) !== undefined, `metric ${JSON.stringify(e)}`, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${describeReceived(receiver)}`, { cause: error });
  }
  return findPoint(receiver, e)!;
}

export interface SpanExpectation {
  readonly name: string;
  readonly attributes?: Attributes;
  readonly kind?: number;
  readonly statusCode?: number;
  readonly transport?: Transport;
  readonly resource?: Attributes;
}

function spanMatches(s: ReceivedSpan, e: SpanExpectation): boolean {
  return (
    s.name === e.name &&
    matches(s.attributes, e.attributes) &&
    matches(s.resource, e.resource) &&
    (e.kind === undefined || s.kind === e.kind) &&
    (e.statusCode === undefined || s.status.code === e.statusCode) &&
    (e.transport === undefined || s.transport === e.transport)
  );
}

/** Waits until a matching span arrived and returns it. */
export async function expectSpan(receiver: OtlpReceiver, e: SpanExpectation, timeoutMs?: number): Promise<ReceivedSpan> {
  try {
    await receiver.waitFor((r) => r.spans.some((s) => spanMatches(s, e)), `span ${JSON.stringify(e)}`, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; received spans: ${receiver.spans.map((s) => s.name).join(', ')}`, { cause: error });
  }
  return receiver.spans.find((s) => spanMatches(s, e))!;
}

/** All received spans matching `e`. */
export function spansMatching(receiver: OtlpReceiver, e: SpanExpectation): ReceivedSpan[] {
  return receiver.spans.filter((s) => spanMatches(s, e));
}
