import { describe, expect, it } from 'vitest';
import { TraceFlags, createTraceState } from '@opentelemetry/api';
import { extractTraceContext, formatTraceparent, traceMetadata } from './trace-context.js';

const ctx = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('vendor=x') };

describe('trace context in event metadata', () => {
  it('writes every requested convention', () => {
    expect(traceMetadata(ctx, ['w3c', 'emmett', 'kurrentdb'])).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=x',
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      $traceId: ctx.traceId,
      $spanId: ctx.spanId,
    });
    expect(traceMetadata(ctx, ['w3c'], { traceparent: 'otel.traceparent' })).toHaveProperty('otel.traceparent', formatTraceparent(ctx));
  });

  it('reads our key first, then Emmett, then KurrentDB, and rejects invalid ids', () => {
    expect(extractTraceContext({ traceparent: formatTraceparent(ctx) })).toMatchObject({ traceId: ctx.traceId, spanId: ctx.spanId, isRemote: true });
    expect(extractTraceContext({ traceId: ctx.traceId, spanId: ctx.spanId })?.spanId).toBe(ctx.spanId);
    expect(extractTraceContext({ $traceId: ctx.traceId, $spanId: ctx.spanId })?.traceId).toBe(ctx.traceId);
    expect(extractTraceContext({ custom: formatTraceparent(ctx) }, { traceparent: 'custom' })?.spanId).toBe(ctx.spanId);
    expect(extractTraceContext({ traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' })).toBeUndefined();
    expect(extractTraceContext({ traceId: 'nope', spanId: 'nope' })).toBeUndefined();
    expect(extractTraceContext(new Uint8Array(3))).toBeUndefined();
    expect(extractTraceContext(undefined)).toBeUndefined();
  });
});
