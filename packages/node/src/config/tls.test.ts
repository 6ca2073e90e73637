import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, OtelkitError } from '../errors.js';
import type { OtelkitOptions } from '../types.js';
import { resolveConfig } from './resolve.js';
import type { ResolvedConfig } from './resolved.js';

interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
  encryptedClientKey: string;
}

const dir = mkdtempSync(join(tmpdir(), 'otelkit-tls-config-'));
let pki: TestPki;
beforeAll(async () => {
  // The same openssl-made PKI the collector TLS test uses (outside this package, hence the dynamic import).
  const support = pathToFileURL(join(import.meta.dirname, '..', '..', '..', '..', 'test', 'support', 'certificates.ts')).href;
  const { createTestPki } = (await import(support)) as { createTestPki(dir: string): TestPki };
  mkdirSync(join(dir, 'pki'));
  pki = createTestPki(join(dir, 'pki'));
  writeFileSync(join(dir, 'not-pem.txt'), 'hello, I am not a certificate\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HTTPS = { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://collector:4317', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4318/v1/traces' };

function resolve(env: Record<string, string>, options: OtelkitOptions = {}): ResolvedConfig {
  return resolveConfig(options, { env, cwd: dir, entry: undefined });
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Everything a user could see of the config: its JSON, its inspection, its problem lines. */
function printed(c: ResolvedConfig): string {
  return `${JSON.stringify(c)}\n${inspect(c, { depth: null })}\n${c.problems.map(formatProblem).join('\n')}`;
}

describe('CA and mTLS files from the environment', () => {
  it('a general CA applies to both https:// exporters, read once into the resolved config', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca });
    expect(c.problems).toEqual([]);
    expect(c.metrics.exporters).toEqual(['otlp', 'prometheus']);
    expect(c.metrics.otlp.tls).toEqual({ certificateFile: pki.ca });
    expect(c.metrics.otlp.tls?.ca).toBe(readFileSync(pki.ca, 'utf8'));
    expect(c.traces.otlp.tls?.ca).toBe(readFileSync(pki.ca, 'utf8'));
    expect(c.traces.otlp.tls?.key).toBeUndefined();
  });

  it('a signal variable beats the general one, file by file', () => {
    const c = resolve({
      ...HTTPS,
      OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca,
      OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: pki.otherCa,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert,
    });
    expect(c.problems).toEqual([]);
    expect(c.metrics.otlp.tls).toEqual({ certificateFile: pki.ca, clientKeyFile: pki.clientKey, clientCertificateFile: pki.clientCert });
    expect(c.traces.otlp.tls).toEqual({ certificateFile: pki.otherCa, clientKeyFile: pki.clientKey, clientCertificateFile: pki.clientCert });
    expect(c.traces.otlp.tls?.ca).toBe(readFileSync(pki.otherCa, 'utf8'));
    expect(c.traces.otlp.tls?.key).toBe(readFileSync(pki.clientKey, 'utf8'));
  });

  it('relative paths are read from the working directory', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: 'pki/ca.pem' });
    expect(c.problems).toEqual([]);
    expect(c.metrics.otlp.tls?.ca).toBe(readFileSync(pki.ca, 'utf8'));
    expect(c.traces.otlp.tls).toBeUndefined();
  });

  it('never shows key material: not in JSON, not in util.inspect, not in a problem line', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.clientKey });
    expect(c.metrics.otlp.tls).toBeUndefined();
    const text = printed(c);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(readFileSync(pki.clientKey, 'utf8').split('\n')[1]);
    const ok = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert });
    expect(ok.traces.otlp.tls?.key).toContain('PRIVATE KEY');
    expect(printed(ok)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });
});

describe('unusable TLS files: one line naming the variable, the exporters that need them off', () => {
  it('a missing general CA disables both OTLP exporters (Prometheus stays)', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'nope.pem') });
    expect(c.problems).toEqual([
      {
        code: 'OTELKIT_E_TLS',
        source: 'OTEL_EXPORTER_OTLP_CERTIFICATE',
        value: join(dir, 'nope.pem'),
        expected: 'a readable PEM file (ENOENT)',
        fallback: 'the OTLP metrics and traces exporters are disabled rather than connecting without it',
      },
    ]);
    expect(c.metrics.exporters).toEqual(['prometheus']);
    expect(c.traces.exporters).toEqual(['none']);
  });

  it('a file that is not PEM, for one signal, disables that signal only', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: 'not-pem.txt', OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca });
    expect(c.problems.map(formatProblem)).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE="not-pem.txt" is invalid: expected a PEM certificate (-----BEGIN CERTIFICATE-----); the OTLP traces exporter is disabled rather than connecting without it [OTELKIT_E_TLS]',
    ]);
    expect(c.traces.exporters).toEqual(['none']);
    expect(c.metrics.exporters).toEqual(['otlp', 'prometheus']);
    expect(c.metrics.otlp.tls?.certificateFile).toBe(pki.ca);
  });

  it('a directory is not a PEM file', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: dir });
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]?.expected).toMatch(/not a regular file/);
    expect(c.metrics.exporters).toEqual(['prometheus']);
  });

  it('half an mTLS pair names the half that is set', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey });
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatchObject({ source: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', expected: expect.stringMatching(/client certificate/) as unknown });
    expect(c.metrics.exporters).toEqual(['prometheus']);
    expect(c.traces.exporters).toEqual(['none']);
    const other = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE: pki.clientCert });
    expect(other.problems.map((p) => p.source)).toEqual(['OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE']);
    expect(other.traces.exporters).toEqual(['otlp']);
  });

  it('a key that does not belong to the client certificate', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.serverKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert });
    expect(c.problems.map(formatProblem)).toEqual([
      `OTEL_EXPORTER_OTLP_CLIENT_KEY="${pki.serverKey}" is invalid: expected the private key of the certificate in OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE; the OTLP metrics and traces exporters are disabled rather than connecting without it [OTELKIT_E_TLS]`,
    ]);
  });

  it('an encrypted key, or a certificate where the key belongs', () => {
    const encrypted = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.encryptedClientKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert });
    expect(encrypted.problems.map((p) => p.expected)).toEqual(['an unencrypted PEM private key']);
    const swapped = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientCert, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert });
    expect(swapped.problems.map((p) => [p.source, p.expected])).toEqual([['OTEL_EXPORTER_OTLP_CLIENT_KEY', 'a PEM private key (-----BEGIN PRIVATE KEY-----)']]);
  });

  it('a bad file for an exporter that is off is reported, and nothing is disabled', () => {
    const c = resolve({ ...HTTPS, OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: 'nope.pem' });
    expect(c.problems.map((p) => p.fallback)).toEqual(['no enabled OTLP exporter with an https:// endpoint uses it']);
    expect(c.metrics.exporters).toEqual(['prometheus']);
    expect(c.traces.exporters).toEqual(['otlp']);
  });

  it('a good CA next to http:// endpoints only is reported as unused, and the exporters run as their scheme says', () => {
    const c = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:pw@collector:4318', OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca });
    expect(c.problems.map(formatProblem)).toEqual([
      `OTEL_EXPORTER_OTLP_CERTIFICATE="${pki.ca}" is invalid: expected an https:// endpoint to apply to (the metrics endpoint http://***@collector:4318 is plaintext); the file is not used [OTELKIT_E_TLS]`,
    ]);
    expect(c.metrics.exporters).toEqual(['otlp', 'prometheus']);
    expect(c.metrics.otlp.tls).toBeUndefined();
    // One https:// user is enough for the file to be in use.
    expect(resolve({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c/v1/traces', OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca }).problems).toEqual([]);
  });

  it('INSECURE is checked: true and false are accepted, anything else is one line', () => {
    expect(resolve({ OTEL_EXPORTER_OTLP_INSECURE: 'true', OTEL_EXPORTER_OTLP_METRICS_INSECURE: 'FALSE' }).problems).toEqual([]);
    const c = resolve({ OTEL_EXPORTER_OTLP_TRACES_INSECURE: 'yes' });
    expect(c.problems.map((p) => [p.code, p.source])).toEqual([['OTELKIT_E_ENV_VALUE', 'OTEL_EXPORTER_OTLP_TRACES_INSECURE']]);
  });
});

describe('config file and code options', () => {
  it('reads tls: (1.0) and the 0.4 keys on the exporter; the file beats env', () => {
    const path = configFile(
      'tls.yaml',
      `file_format: "1.0"
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_grpc:
            endpoint: https://collector:4317
            tls:
              certificate_file: ${pki.ca}
              client_key_file: ${pki.clientKey}
              client_certificate_file: ${pki.clientCert}
              insecure: false
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: https://collector:4318/v1/traces
            certificate_file: pki/other-ca.pem
`,
    );
    const c = resolve({ OTEL_CONFIG_FILE: path, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.clientCert, OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: 'nope.pem' });
    // The overridden env CA is not used; the overridden, missing env key is still one line, and disables nothing.
    expect(c.problems.map((p) => [p.source, p.fallback])).toEqual([['OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY', 'no enabled OTLP exporter with an https:// endpoint uses it']]);
    expect(c.metrics.exporters).toEqual(['otlp']);
    expect(c.traces.exporters).toEqual(['otlp']);
    expect(c.metrics.otlp.tls).toEqual({ certificateFile: pki.ca, clientKeyFile: pki.clientKey, clientCertificateFile: pki.clientCert });
    expect(c.traces.otlp.tls).toEqual({ certificateFile: 'pki/other-ca.pem' });
  });

  it('a bad file in the config file names its key', () => {
    const path = configFile(
      'bad-tls.yaml',
      `file_format: "0.4"
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_grpc:
            endpoint: https://collector:4317
            client_certificate_file: ${pki.clientCert}
            client_key_file: not-pem.txt
            insecure: sometimes
`,
    );
    const c = resolve({ OTEL_CONFIG_FILE: path });
    expect(c.problems.map((p) => [p.code, p.source])).toEqual([
      ['OTELKIT_E_FILE_VALUE', 'OTEL_CONFIG_FILE meter_provider.readers[0].periodic.exporter.otlp_grpc.insecure'],
      ['OTELKIT_E_TLS', 'OTEL_CONFIG_FILE meter_provider.readers[0].periodic.exporter.otlp_grpc.client_key_file'],
    ]);
    expect(c.metrics.exporters).toEqual(['none']);
  });

  it('code options beat both; a wrong type throws, a missing file is a line like the others', () => {
    const c = resolve({ ...HTTPS, OTEL_EXPORTER_OTLP_CERTIFICATE: pki.otherCa }, { traces: { otlp: { certificateFile: pki.ca } } });
    expect(c.problems).toEqual([]);
    expect(c.traces.otlp.tls?.certificateFile).toBe(pki.ca);
    expect(c.metrics.otlp.tls?.certificateFile).toBe(pki.otherCa);
    expect(() => resolve({}, { metrics: { otlp: { clientKeyFile: 42 as unknown as string } } })).toThrow(OtelkitError);
    const missing = resolve(HTTPS, { metrics: { otlp: { certificateFile: 'nope.pem' } } });
    expect(missing.problems.map((p) => [p.code, p.source])).toEqual([['OTELKIT_E_TLS', 'start({ metrics.otlp.certificateFile })']]);
    expect(missing.metrics.exporters).toEqual(['prometheus']);
  });
});

describe('credentials in endpoints never reach a problem line or an error', () => {
  it('env, file and code', () => {
    const env = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:s3cret@collector', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'tcp://c/v1/traces?api_key=s3cret' });
    expect(env.problems.map((p) => p.source)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
    const path = configFile('endpoint.yaml', 'file_format: "1.0"\nmeter_provider:\n  readers:\n    - periodic:\n        exporter:\n          otlp_grpc:\n            endpoint: "grpc://u:s3cret@collector"\n');
    const file = resolve({ OTEL_CONFIG_FILE: path });
    expect(file.problems).toHaveLength(1);
    expect([...env.problems, ...file.problems].map(formatProblem).join('\n')).not.toContain('s3cret');
    expect(() => resolve({}, { metrics: { otlp: { endpoint: 'ftp://u:s3cret@h' } } })).toThrow(/"ftp:\/\/\*\*\*@h"/);
  });
});
