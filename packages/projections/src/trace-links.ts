import type { Link, SpanContext } from '@opentelemetry/api';
import { spanContextFromEventMetadata } from '@otelkit/node/kit';

/**
 * The producing span's context from event metadata: W3C `traceparent` (key configurable) as written by
 * `@otelkit/event-store`, else Emmett's `traceId`/`spanId`, else KurrentDB's `$traceId`/`$spanId`.
 */
export function producerContext(metadata: unknown, traceparentKey = 'traceparent'): SpanContext | undefined {
  return spanContextFromEventMetadata(metadata, traceparentKey);
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
