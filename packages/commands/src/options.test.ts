import { describe, expect, it } from 'vitest';
import { resolveCommandsOptions } from './options.js';

describe('commands pack options', () => {
  it('keeps valid values and warns once per bad value, falling back to the default', () => {
    const lines: string[] = [];
    const logger = { error: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), info: () => undefined, debug: () => undefined };
    const classify = (): undefined => undefined;
    expect(resolveCommandsOptions({ spans: false, classify }, logger)).toEqual({ spans: false, classify });
    expect(resolveCommandsOptions({ spans: 'no', nestjsCqrs: 1 }, logger)).toEqual({});
    expect(lines).toEqual([
      'otelkit: pack commands option spans must be a boolean, got "no"; using true',
      'otelkit: pack commands option nestjsCqrs must be a boolean, got 1; using true',
    ]);
  });
});
