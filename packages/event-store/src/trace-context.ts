import { isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

/** Which metadata conventions an append writes: W3C (`traceparent`), Emmett (`traceId`), KurrentDB (`$traceId`). */
export type TraceContextConvention = 'w3c' | 'emmett' | 'kurrentdb';

/** Where trace context lives in event metadata. */
export interface TraceContextKeys {
  /** @default 'traceparent' */
  readonly traceparent?: string;
  /** @default 'tracestate' */
  readonly tracestate?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C `traceparent` header value of a span context. */
export function formatTraceparent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Metadata entries carrying `ctx` in the given conventions; merged into each appended event's metadata. */
export function traceMetadata(ctx: SpanContext, conventions: readonly TraceContextConvention[], keys: TraceContextKeys = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const convention of conventions) {
    if (convention === 'w3c') {
      out[keys.traceparent ?? 'traceparent'] = formatTraceparent(ctx);
      const state = ctx.traceState?.serialize();
      if (state !== undefined && state !== '') out[keys.tracestate ?? 'tracestate'] = state;
    } else if (convention === 'emmett') {
      out.traceId = ctx.traceId;
      out.spanId = ctx.spanId;
    } else {
      out.$traceId = ctx.traceId;
      out.$spanId = ctx.spanId;
    }
  }
  return out;
}

function field(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The span context an event's metadata carries: our `traceparent` key first, then Emmett's `traceId`/`spanId`,
 * then KurrentDB's `$traceId`/`$spanId`. Undefined when none is valid.
 */
export function extractTraceContext(metadata: unknown, keys: TraceContextKeys = {}): SpanContext | undefined {
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array) return undefined;
  const m = metadata as Record<string, unknown>;
  const parent = TRACEPARENT.exec(field(m, keys.traceparent ?? 'traceparent') ?? '');
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
