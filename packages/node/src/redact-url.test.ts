import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['https://user:s3cret@collector:4318/v1/traces', 'https://***@collector:4318/v1/traces'],
    ['https://tokenonly@collector:4317', 'https://***@collector:4317'],
    ['http://u:p%40ss@[::1]:4318', 'http://***@[::1]:4318'],
    ['https://collector:4318/v1/metrics?api_key=abc&region=eu', 'https://collector:4318/v1/metrics?api_key=***&region=eu'],
    ['https://collector/x?region=eu&Token=t#frag', 'https://collector/x?region=eu&Token=***#frag'],
    ['ftp://a:b@host', 'ftp://***@host'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each(['http://localhost:4317', 'https://collector.example.com:4318/v1/traces', 'http://[::1]:4317', 'not a url', 'http://host/path@v2'])(
    'leaves %s as it is',
    (url) => {
      expect(redactUrl(url)).toBe(url);
    },
  );
});
