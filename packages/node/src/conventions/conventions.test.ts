import { describe, expect, it } from 'vitest';
import { CONCURRENCY_ERROR_NAMES, errorClassName } from './error-type.js';
import { spanContextFromEventMetadata } from './event-trace-context.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('errorClassName', () => {
  it('names the class, strips bundler underscores, falls back to name, else undefined', () => {
    class _ValidationError extends Error {}
    expect(errorClassName(new _ValidationError('x'))).toBe('ValidationError');
    expect(errorClassName(new TypeError('x'))).toBe('TypeError');
    expect(errorClassName({ name: 'WrongExpectedVersionError' })).toBe('WrongExpectedVersionError');
    expect(errorClassName({})).toBeUndefined();
    expect(errorClassName('boom')).toBeUndefined();
    expect(CONCURRENCY_ERROR_NAMES.has('WrongExpectedVersionError')).toBe(true);
  });
});

describe('spanContextFromEventMetadata', () => {
  it('reads W3C traceparent first, under a configurable key', () => {
    const md = { traceparent: `00-${TRACE}-${SPAN}-01`, traceId: TRACE, spanId: '0000000000000001' };
    expect(spanContextFromEventMetadata(md)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(spanContextFromEventMetadata({ 'otel.tp': `00-${TRACE}-${SPAN}-00` }, 'otel.tp')?.traceFlags).toBe(0);
  });
  it("falls back to Emmett's traceId/spanId, then KurrentDB's $traceId/$spanId", () => {
    expect(spanContextFromEventMetadata({ traceId: TRACE, spanId: SPAN })?.spanId).toBe(SPAN);
    expect(spanContextFromEventMetadata({ $traceId: TRACE, $spanId: SPAN })?.spanId).toBe(SPAN);
  });
  it('ignores invalid or missing context', () => {
    expect(spanContextFromEventMetadata({ traceparent: `00-${'0'.repeat(32)}-${SPAN}-01` })).toBeUndefined();
    expect(spanContextFromEventMetadata(new Uint8Array(4))).toBeUndefined();
    expect(spanContextFromEventMetadata(undefined)).toBeUndefined();
  });
});
