import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { installPropagators } from './propagation.js';

const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };

function injected(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier);
  return carrier;
}

afterEach(() => {
  propagation.disable();
  context.disable();
});

describe('installPropagators', () => {
  it('defaults to W3C trace context and baggage', async () => {
    await installPropagators(['tracecontext', 'baggage']);
    expect(injected()).toEqual({ traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-01` });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('adds single-header B3 for b3 and multi-header B3 for b3multi', async () => {
    await installPropagators(['tracecontext', 'b3']);
    expect(injected()).toMatchObject({ b3: `${spanContext.traceId}-${spanContext.spanId}-1` });
    propagation.disable();
    await installPropagators(['b3multi']);
    expect(injected()).toEqual({ 'x-b3-traceid': spanContext.traceId, 'x-b3-spanid': spanContext.spanId, 'x-b3-sampled': '1' });
  });

  it('none injects nothing', async () => {
    await installPropagators(['none']);
    expect(injected()).toEqual({});
  });

  it('takes a propagator instance as is', async () => {
    const custom: TextMapPropagator = { inject: (_c, carrier, setter) => setter.set(carrier, 'x-custom', '1'), extract: (c) => c, fields: () => ['x-custom'] };
    await installPropagators(custom);
    expect(injected()).toEqual({ 'x-custom': '1' });
  });
});
