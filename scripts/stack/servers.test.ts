import { describe, expect, it } from 'vitest';
import { resolveServerOptions, SERVER_DEFAULTS } from './servers.mjs';

describe('resolveServerOptions', () => {
  it('fills in a local PostgreSQL and Redis read every 15 s', () => {
    expect(resolveServerOptions()).toEqual(SERVER_DEFAULTS);
    expect(resolveServerOptions({ redisEndpoint: undefined, interval: '2s' })).toEqual({ ...SERVER_DEFAULTS, interval: '2s' });
  });

  it('takes a postgres:// or postgresql:// URL, a host:port and a duration', () => {
    const options = { postgresUrl: 'postgres://app:secret@db.internal:6432/bank', redisEndpoint: 'cache.internal:6380', interval: '1m' };
    expect(resolveServerOptions(options)).toEqual(options);
  });

  it.each([
    ['postgresUrl', 'db.internal:5432', /servers\.postgresUrl \(OTELKIT_POSTGRES_URL\) must be a postgresql:\/\/user@host:port\/database URL, got "db\.internal:5432"/],
    ['postgresUrl', 'mysql://db.internal/bank', /servers\.postgresUrl .* got "mysql:\/\/db\.internal\/bank"/],
    ['redisEndpoint', 'redis://127.0.0.1:6379', /servers\.redisEndpoint \(OTELKIT_REDIS_ENDPOINT\) must be host:port, e\.g\. 127\.0\.0\.1:6379, got "redis:\/\/127\.0\.0\.1:6379"/],
    ['redisEndpoint', '127.0.0.1:70000', /servers\.redisEndpoint .* got "127\.0\.0\.1:70000"/],
    ['interval', 'often', /servers\.interval \(OTELKIT_SERVERS_INTERVAL\) must be a duration such as 15s or 1m, got "often"/],
    ['interval', '0s', /servers\.interval .* got "0s"/],
    ['database', 'x', /unknown servers option "database"; expected postgresUrl, redisEndpoint, interval/],
  ])('refuses %s %j, naming the option and its variable', (key, value, message) => {
    expect(() => resolveServerOptions({ [key]: value })).toThrow(message);
  });
});
