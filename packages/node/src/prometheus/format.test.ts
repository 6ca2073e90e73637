import { describe, expect, it } from 'vitest';
import { attributeValueString, escapeLabelValue, formatFloat, formatOpenMetricsFloat } from './format.js';

describe('formatFloat (Go strconv g/-1 as expfmt writes it)', () => {
  it.each([
    [0, '0'], [-0, '0'], [1, '1'], [-1, '-1'], [42, '42'], [0.5, '0.5'], [0.1, '0.1'], [2.5, '2.5'],
    [999999, '999999'], [1e6, '1e+06'], [1234567, '1.234567e+06'], [-1234567, '-1.234567e+06'], [123456.5, '123456.5'],
    [0.0001, '0.0001'], [0.00001, '1e-05'], [0.000012, '1.2e-05'], [1e21, '1e+21'], [1.5e300, '1.5e+300'], [5e-324, '5e-324'],
    [Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'], [0.1 + 0.2, '0.30000000000000004'],
  ])('%s → %s', (input, expected) => {
    expect(formatFloat(input)).toBe(expected);
  });

  it('adds .0 in OpenMetrics only where there is neither a dot nor an exponent', () => {
    expect(formatOpenMetricsFloat(1)).toBe('1.0');
    expect(formatOpenMetricsFloat(42)).toBe('42.0');
    expect(formatOpenMetricsFloat(0.25)).toBe('0.25');
    expect(formatOpenMetricsFloat(1e6)).toBe('1e+06');
    expect(formatOpenMetricsFloat(Infinity)).toBe('+Inf');
  });

  it('escapes label values and renders attribute values like pcommon AsString', () => {
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(attributeValueString(3)).toBe('3');
    expect(attributeValueString(true)).toBe('true');
    expect(attributeValueString(['a', 'b'])).toBe('["a","b"]');
  });
});
