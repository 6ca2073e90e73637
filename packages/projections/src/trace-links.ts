import { isSpanContextValid, TraceFlags, type Link, type SpanContext } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function str(m: Record<string, unknown>, key: string): string | undefined {
  const v = m[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The producing span's context from event metadata: W3C `traceparent` (key configurable) as written by
 * `@otelkit/event-store`, else Emmett's `traceId`/`spanId`, else KurrentDB's `$traceId`/`$spanId`.
 */
export function producerContext(metadata: unknown, traceparentKey = 'traceparent'): SpanContext | undefined {
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array) return undefined;
  const m = metadata as Record<string, unknown>;
  const p = TRACEPARENT.exec(str(m, traceparentKey) ?? '');
  if (p !== null) {
    const ctx: SpanContext = { traceId: p[1] ?? '', spanId: p[2] ?? '', traceFlags: Number.parseInt(p[3] ?? '0', 16), isRemote: true };
    if (isSpanContextValid(ctx)) return ctx;
  }
  for (const [t, s] of [['traceId', 'spanId'], ['$traceId', '$spanId']] as const) {
    const traceId = str(m, t);
    const spanId = str(m, s);
    if (traceId === undefined || spanId === undefined) continue;
    const ctx: SpanContext = { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true };
    if (isSpanContextValid(ctx)) return ctx;
  }
  return undefined;
}

/** One link per distinct producing span among `contexts`. */
export function linksTo(contexts: readonly (SpanContext | undefined)[]): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const ctx of contexts) {
    if (ctx === undefined || seen.has(ctx.spanId)) continue;
    seen.add(ctx.spanId);
    links.push({ context: ctx });
  }
  return links;
}
