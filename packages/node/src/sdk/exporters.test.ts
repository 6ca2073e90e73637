import { describe, expect, it } from 'vitest';
import type { ResolvedOtlp } from '../config/resolved.js';
import { otlpLabel } from './exporters.js';

const base: ResolvedOtlp = { endpoint: 'https://user:s3cret@collector:4317', protocol: 'grpc', headers: { authorization: 'Bearer s3cret' }, timeoutMillis: 10_000, compression: 'gzip' };

describe('otlpLabel', () => {
  it('shows neither the password in the URL nor header values', () => {
    expect(otlpLabel(base)).toBe('otlp(grpc https://***@collector:4317)');
    expect(otlpLabel(base, true)).toBe('otlp(grpc https://***@collector:4317 gzip headers=authorization:***)');
  });

  it('names the CA file and whether a client certificate is presented, never the PEM text', () => {
    const tls = Object.defineProperty({ certificateFile: '/etc/otel/ca.pem', clientKeyFile: '/etc/otel/key.pem', clientCertificateFile: '/etc/otel/client.pem' }, 'cert', { value: '-----BEGIN CERTIFICATE-----' });
    expect(otlpLabel({ ...base, headers: {}, tls }, true)).toBe('otlp(grpc https://***@collector:4317 gzip tls(ca=/etc/otel/ca.pem mtls))');
    expect(otlpLabel({ ...base, headers: {}, compression: 'none', tls: {} }, true)).toBe('otlp(grpc https://***@collector:4317 tls(system CA))');
  });
});
