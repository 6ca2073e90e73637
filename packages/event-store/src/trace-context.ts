import type { SpanContext } from '@opentelemetry/api';
import { spanContextFromEventMetadata } from '@otelkit/node/kit';

/** Which metadata conventions an append writes: W3C (`traceparent`), Emmett (`traceId`), KurrentDB (`$traceId`). */
export type TraceContextConvention = 'w3c' | 'emmett' | 'kurrentdb';

/** Where trace context lives in event metadata. */
export interface TraceContextKeys {
  /** @default 'traceparent' */
  readonly traceparent?: string;
  /** @default 'tracestate' */
  readonly tracestate?: string;
}

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

/**
 * The span context an event's metadata carries: our `traceparent` key first, then Emmett's `traceId`/`spanId`,
 * then KurrentDB's `$traceId`/`$spanId`. Undefined when none is valid.
 */
export function extractTraceContext(metadata: unknown, keys: TraceContextKeys = {}): SpanContext | undefined {
  return spanContextFromEventMetadata(metadata, keys.traceparent);
}
