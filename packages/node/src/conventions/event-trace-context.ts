import { isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function field(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The producing span's context that an event's metadata carries: W3C `traceparent` under `traceparentKey` first
 * (as `@otelkit/event-store` writes it), then Emmett's `traceId`/`spanId`, then KurrentDB's `$traceId`/`$spanId`.
 * Undefined when none is valid.
 */
export function spanContextFromEventMetadata(metadata: unknown, traceparentKey: string = 'traceparent'): SpanContext | undefined {
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array) return undefined;
  const m = metadata as Record<string, unknown>;
  const parent = TRACEPARENT.exec(field(m, traceparentKey) ?? '');
  if (parent !== null) {
    const ctx: SpanContext = { traceId: parent[1] ?? '', spanId: parent[2] ?? '', traceFlags: Number.parseInt(parent[3] ?? '0', 16), isRemote: true };
    if (isSpanContextValid(ctx)) return ctx;
  }
  for (const [traceKey, spanKey] of [['traceId', 'spanId'], ['$traceId', '$spanId']] as const) {
    const traceId = field(m, traceKey);
    const spanId = field(m, spanKey);
    if (traceId === undefined || spanId === undefined) continue;
    const ctx: SpanContext = { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
    if (isSpanContextValid(ctx)) return ctx;
  }
  return undefined;
}
