import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { ResolvedSampler } from '../config/resolved.js';

/** The SDK sampler for a resolved sampler setting. */
export function createSampler(setting: ResolvedSampler): Sampler {
  if (setting.kind === 'custom') return setting.sampler;
  switch (setting.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(setting.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setting.ratio) });
  }
}

/** `parentbased_traceidratio(0.25)` style text for the preamble. */
export function describeSampler(setting: ResolvedSampler): string {
  if (setting.kind === 'custom') return setting.sampler.toString();
  return setting.name.endsWith('traceidratio') ? `${setting.name}(${setting.ratio})` : setting.name;
}
