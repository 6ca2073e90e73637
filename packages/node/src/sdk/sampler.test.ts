import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createSampler, describeSampler } from './sampler.js';

const decide = (name: Parameters<typeof createSampler>[0], parentSampled?: boolean): SamplingDecision => {
  const ctx = parentSampled === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  return createSampler(name).shouldSample(ctx, 'ffffffffffffffffffffffffffffffff', 'op', SpanKind.SERVER, {}, []).decision;
};

describe('createSampler', () => {
  it('always_on / always_off decide regardless of the parent', () => {
    expect(decide({ kind: 'named', name: 'always_on', ratio: 1 }, false)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide({ kind: 'named', name: 'always_off', ratio: 1 }, true)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('parentbased_* follow a remote parent and use the root sampler otherwise', () => {
    expect(decide({ kind: 'named', name: 'parentbased_always_on', ratio: 1 }, false)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ kind: 'named', name: 'parentbased_always_off', ratio: 1 }, true)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide({ kind: 'named', name: 'parentbased_always_off', ratio: 1 })).toBe(SamplingDecision.NOT_RECORD);
  });

  it('traceidratio uses the ratio (0 drops, 1 keeps)', () => {
    expect(decide({ kind: 'named', name: 'traceidratio', ratio: 0 })).toBe(SamplingDecision.NOT_RECORD);
    expect(decide({ kind: 'named', name: 'parentbased_traceidratio', ratio: 1 })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(describeSampler({ kind: 'named', name: 'traceidratio', ratio: 0.25 })).toBe('traceidratio(0.25)');
  });

  it('passes a Sampler instance through', () => {
    const sampler = new AlwaysOnSampler();
    expect(createSampler({ kind: 'custom', sampler })).toBe(sampler);
  });
});
