import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { OtelkitError } from '../errors.js';
import { definePack } from '../pack.js';
import type { OtelkitOptions } from '../types.js';
import { resolveConfig } from './resolve.js';
import type { ResolvedConfig } from './resolved.js';

const dir = mkdtempSync(join(tmpdir(), 'otelkit-config-'));
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-app', dependencies: {} }));

function resolve(env: Record<string, string> = {}, options: OtelkitOptions = {}): ResolvedConfig {
  return resolveConfig(options, { env, cwd: dir, entry: undefined });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('defaults', () => {
  it('are dual metric export, OTLP/HTTP traces, service name from package.json', () => {
    const c = resolve();
    expect(c.disabled).toBe(false);
    expect(c.serviceName).toBe('my-app');
    expect(c.serviceNameSource).toBe('package.json');
    expect(c.metrics.exporters).toEqual(['otlp', 'prometheus']);
    expect(c.metrics.otlp).toEqual({ endpoint: 'http://localhost:4317', protocol: 'grpc', headers: {}, timeoutMillis: 10_000, compression: 'none' });
    expect(c.metrics.prometheus).toEqual({ host: '0.0.0.0', port: 9464, auth: undefined, collectTimeoutMillis: 5000, naming: 'collector' });
    expect(c.traces.exporters).toEqual(['otlp']);
    expect(c.traces.otlp.endpoint).toBe('http://localhost:4318/v1/traces');
    expect(c.traces.otlp.protocol).toBe('http/protobuf');
    expect(c.traces.sampler).toEqual({ kind: 'named', name: 'parentbased_always_on', ratio: 1 });
    expect(c.propagators).toEqual(['tracecontext', 'baggage']);
    expect(c.metrics.exportIntervalMillis).toBe(60_000);
    expect(c.metrics.runtime).toBe(true);
    expect(c.metrics.cardinalityLimit).toBe(2000);
    expect(c.shutdownTimeoutMillis).toBe(5000);
    expect(c.traces.batch).toEqual({ scheduleDelayMillis: 5000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 });
    expect(c.problems).toEqual([]);
  });

  it('is frozen', () => {
    const c = resolve();
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.metrics.otlp.headers)).toBe(true);
  });

  it('falls back to unknown_service:node without a package.json name', () => {
    const bare = mkdtempSync(join(tmpdir(), 'otelkit-bare-'));
    writeFileSync(join(bare, 'package.json'), '{}');
    expect(resolveConfig({}, { env: {}, cwd: bare, entry: undefined }).serviceName).toBe('unknown_service:node');
  });
});

// Each variable of issue 2 item 3: the env value and where it lands in the resolved config.
describe.each<[string, string, (c: ResolvedConfig) => unknown, unknown]>([
  ['OTEL_SDK_DISABLED', 'true', (c) => c.disabled, true],
  ['OTEL_SERVICE_NAME', 'billing', (c) => c.serviceName, 'billing'],
  ['OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=prod,team=a%20b', (c) => c.resourceAttributes, { 'deployment.environment.name': 'prod', team: 'a b' }],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://collector:4317', (c) => [c.metrics.otlp.endpoint, c.traces.otlp.endpoint], ['http://collector:4317', 'http://collector:4317/v1/traces']],
  ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'http://m:1234', (c) => c.metrics.otlp.endpoint, 'http://m:1234'],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://t:4318/custom', (c) => c.traces.otlp.endpoint, 'http://t:4318/custom'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json', (c) => [c.metrics.otlp.protocol, c.traces.otlp.protocol, c.metrics.otlp.endpoint], ['http/json', 'http/json', 'http://localhost:4318/v1/metrics']],
  ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/protobuf', (c) => c.metrics.otlp.protocol, 'http/protobuf'],
  ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'grpc', (c) => [c.traces.otlp.protocol, c.traces.otlp.endpoint], ['grpc', 'http://localhost:4317']],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'api-key=s3cret,x-team=core', (c) => c.traces.otlp.headers, { 'api-key': 's3cret', 'x-team': 'core' }],
  ['OTEL_EXPORTER_OTLP_METRICS_HEADERS', 'a=1', (c) => [c.metrics.otlp.headers, c.traces.otlp.headers], [{ a: '1' }, {}]],
  ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'b=2', (c) => [c.metrics.otlp.headers, c.traces.otlp.headers], [{}, { b: '2' }]],
  ['OTEL_EXPORTER_OTLP_TIMEOUT', '2500', (c) => [c.metrics.otlp.timeoutMillis, c.traces.otlp.timeoutMillis], [2500, 2500]],
  ['OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', '1500', (c) => c.metrics.otlp.timeoutMillis, 1500],
  ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', '1700', (c) => c.traces.otlp.timeoutMillis, 1700],
  ['OTEL_EXPORTER_OTLP_COMPRESSION', 'gzip', (c) => [c.metrics.otlp.compression, c.traces.otlp.compression], ['gzip', 'gzip']],
  ['OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'gzip', (c) => [c.metrics.otlp.compression, c.traces.otlp.compression], ['gzip', 'none']],
  ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'gzip', (c) => [c.metrics.otlp.compression, c.traces.otlp.compression], ['none', 'gzip']],
  ['OTEL_METRICS_EXPORTER', 'prometheus,console', (c) => c.metrics.exporters, ['prometheus', 'console']],
  ['OTEL_TRACES_EXPORTER', 'console', (c) => c.traces.exporters, ['console']],
  ['OTEL_EXPORTER_PROMETHEUS_HOST', '127.0.0.1', (c) => c.metrics.prometheus.host, '127.0.0.1'],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', '9999', (c) => c.metrics.prometheus.port, 9999],
  ['OTEL_METRIC_EXPORT_INTERVAL', '1000', (c) => c.metrics.exportIntervalMillis, 1000],
  ['OTEL_METRIC_EXPORT_TIMEOUT', '800', (c) => c.metrics.exportTimeoutMillis, 800],
  ['OTEL_TRACES_SAMPLER', 'always_off', (c) => c.traces.sampler, { kind: 'named', name: 'always_off', ratio: 1 }],
  ['OTEL_PROPAGATORS', 'b3,tracecontext', (c) => c.propagators, ['b3', 'tracecontext']],
  ['OTEL_LOG_LEVEL', 'DEBUG', (c) => c.logLevel, 'debug'],
  ['OTELKIT_PACKS', 'commands,@otelkit/http', (c) => c.packs.allow, ['commands', '@otelkit/http']],
  ['OTELKIT_DISABLED_PACKS', 'projections', (c) => c.packs.disabled, ['projections']],
  ['OTELKIT_STRICT', 'true', (c) => c.strict, true],
  ['OTELKIT_SHUTDOWN_TIMEOUT_MS', '1234', (c) => c.shutdownTimeoutMillis, 1234],
  ['OTELKIT_METRIC_NAMESPACE', 'shop', (c) => c.metrics.namespace, 'shop'],
  ['OTELKIT_PROMETHEUS_AUTH', 'basic:scraper:pa:ss', (c) => c.metrics.prometheus.auth, { type: 'basic', username: 'scraper', password: 'pa:ss' }],
  ['OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS', '2500', (c) => c.metrics.prometheus.collectTimeoutMillis, 2500],
  ['OTELKIT_PROMETHEUS_NAMING', 'OTEL-JS', (c) => c.metrics.prometheus.naming, 'otel-js'],
  ['OTELKIT_RUNTIME_METRICS', 'false', (c) => c.metrics.runtime, false],
  ['OTELKIT_CARDINALITY_LIMIT', '100', (c) => c.metrics.cardinalityLimit, 100],
  ['OTEL_BSP_SCHEDULE_DELAY', '200', (c) => c.traces.batch, { scheduleDelayMillis: 200, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 }],
  ['OTEL_BSP_EXPORT_TIMEOUT', '1500', (c) => c.traces.batch, { scheduleDelayMillis: 5000, exportTimeoutMillis: 1500, maxQueueSize: 2048, maxExportBatchSize: 512 }],
  ['OTEL_BSP_MAX_QUEUE_SIZE', '4096', (c) => c.traces.batch, { scheduleDelayMillis: 5000, exportTimeoutMillis: 30_000, maxQueueSize: 4096, maxExportBatchSize: 512 }],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '100', (c) => c.traces.batch, { scheduleDelayMillis: 5000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 100 }],
])('%s', (name, value, read, expected) => {
  it(`=${value} is honoured`, () => {
    const c = resolve({ [name]: value });
    expect(c.problems).toEqual([]);
    expect(read(c)).toEqual(expected);
  });
});

describe('related variables', () => {
  it('OTEL_TRACES_SAMPLER_ARG sets the ratio', () => {
    expect(resolve({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).traces.sampler).toEqual({
      kind: 'named',
      name: 'parentbased_traceidratio',
      ratio: 0.25,
    });
  });
  it('OTELKIT_PACKS=none turns discovery off', () => {
    expect(resolve({ OTELKIT_PACKS: 'none' }).packs.allow).toBe('none');
  });
  it('OTELKIT_PROMETHEUS_AUTH takes a bearer token', () => {
    expect(resolve({ OTELKIT_PROMETHEUS_AUTH: 'bearer:abc' }).metrics.prometheus.auth).toEqual({ type: 'bearer', token: 'abc' });
  });
  it('signal headers override general ones key by key', () => {
    const c = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2' });
    expect(c.traces.otlp.headers).toEqual({ a: '1', b: '2' });
  });
  it('OTEL_METRICS_EXPORTER=none alone turns metrics off; with others it is ignored', () => {
    expect(resolve({ OTEL_METRICS_EXPORTER: 'none' }).metrics.exporters).toEqual(['none']);
    expect(resolve({ OTEL_METRICS_EXPORTER: 'none,otlp' }).metrics.exporters).toEqual(['otlp']);
  });
  it('service.name in OTEL_RESOURCE_ATTRIBUTES names the service when OTEL_SERVICE_NAME is unset', () => {
    const c = resolve({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' });
    expect(c.serviceName).toBe('from-attrs');
    expect(c.resourceAttributes).toEqual({});
  });
});

// Bad env values: one problem each, naming the variable, the value (secrets redacted) and the fallback.
describe.each<[string, string, (c: ResolvedConfig) => unknown, unknown, RegExp]>([
  ['OTEL_SDK_DISABLED', 'yes', (c) => c.disabled, false, /stays enabled/],
  ['OTEL_METRIC_EXPORT_INTERVAL', 'soon', (c) => c.metrics.exportIntervalMillis, 60_000, /using 60000/],
  ['OTEL_METRIC_EXPORT_INTERVAL', '-5', (c) => c.metrics.exportIntervalMillis, 60_000, /using 60000/],
  ['OTEL_METRIC_EXPORT_TIMEOUT', '1.5', (c) => c.metrics.exportTimeoutMillis, 30_000, /using 30000/],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', '70000', (c) => c.metrics.prometheus.port, 9464, /using 9464/],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4317', (c) => c.metrics.otlp.endpoint, 'http://localhost:4317', /default/],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://x', (c) => c.traces.otlp.endpoint, 'http://localhost:4318/v1/traces', /default/],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http', (c) => c.metrics.otlp.protocol, 'grpc', /default/],
  ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli', (c) => c.traces.otlp.compression, 'none', /default/],
  ['OTEL_EXPORTER_OTLP_TIMEOUT', '0', (c) => c.traces.otlp.timeoutMillis, 10_000, /default/],
  ['OTEL_METRICS_EXPORTER', 'otlp,statsd', (c) => c.metrics.exporters, ['otlp'], /using otlp/],
  ['OTEL_METRICS_EXPORTER', 'statsd', (c) => c.metrics.exporters, ['otlp', 'prometheus'], /using otlp,prometheus/],
  ['OTEL_TRACES_EXPORTER', 'zipkin', (c) => c.traces.exporters, ['otlp'], /using otlp/],
  ['OTEL_TRACES_SAMPLER', 'jaeger_remote', (c) => c.traces.sampler, { kind: 'named', name: 'parentbased_always_on', ratio: 1 }, /parentbased_always_on/],
  ['OTEL_TRACES_SAMPLER_ARG', '2', (c) => c.traces.sampler, { kind: 'named', name: 'parentbased_always_on', ratio: 1 }, /using 1/],
  ['OTEL_PROPAGATORS', 'xray', (c) => c.propagators, ['tracecontext', 'baggage'], /tracecontext,baggage/],
  ['OTEL_LOG_LEVEL', 'loud', (c) => c.logLevel, 'info', /using info/],
  ['OTELKIT_STRICT', 'maybe', (c) => c.strict, false, /not strict/],
  ['OTELKIT_SHUTDOWN_TIMEOUT_MS', '5s', (c) => c.shutdownTimeoutMillis, 5000, /using 5000/],
  ['OTELKIT_METRIC_NAMESPACE', 'My-Shop', (c) => c.metrics.namespace, '', /no prefix/],
  ['OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS', '5s', (c) => c.metrics.prometheus.collectTimeoutMillis, 5000, /using 5000/],
  ['OTELKIT_PROMETHEUS_NAMING', 'prom-client', (c) => c.metrics.prometheus.naming, 'collector', /using collector/],
  ['OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS', '0', (c) => c.metrics.prometheus.collectTimeoutMillis, 5000, /using 5000/],
  ['OTELKIT_RUNTIME_METRICS', 'off', (c) => c.metrics.runtime, true, /stay on/],
  ['OTELKIT_CARDINALITY_LIMIT', 'lots', (c) => c.metrics.cardinalityLimit, 2000, /using 2000/],
  ['OTEL_RESOURCE_ATTRIBUTES', 'team=core,broken', (c) => c.resourceAttributes, { team: 'core' }, /ignored "broken"/],
  ['OTEL_BSP_SCHEDULE_DELAY', 'soon', (c) => c.traces.batch.scheduleDelayMillis, 5000, /using 5000/],
  ['OTEL_BSP_SCHEDULE_DELAY', '-200', (c) => c.traces.batch.scheduleDelayMillis, 5000, /using 5000/],
  ['OTEL_BSP_SCHEDULE_DELAY', '2147483648', (c) => c.traces.batch.scheduleDelayMillis, 5000, /using 5000/],
  ['OTEL_BSP_EXPORT_TIMEOUT', '30s', (c) => c.traces.batch.exportTimeoutMillis, 30_000, /using 30000/],
  ['OTEL_BSP_EXPORT_TIMEOUT', '0', (c) => c.traces.batch.exportTimeoutMillis, 30_000, /using 30000/],
  ['OTEL_BSP_EXPORT_TIMEOUT', '-1', (c) => c.traces.batch.exportTimeoutMillis, 30_000, /using 30000/],
  ['OTEL_BSP_MAX_QUEUE_SIZE', 'big', (c) => c.traces.batch.maxQueueSize, 2048, /using 2048/],
  ['OTEL_BSP_MAX_QUEUE_SIZE', '0', (c) => c.traces.batch.maxQueueSize, 2048, /using 2048/],
  ['OTEL_BSP_MAX_QUEUE_SIZE', '-5', (c) => c.traces.batch.maxQueueSize, 2048, /using 2048/],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '1.5', (c) => c.traces.batch.maxExportBatchSize, 512, /using 512/],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '0', (c) => c.traces.batch.maxExportBatchSize, 512, /using 512/],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '-512', (c) => c.traces.batch.maxExportBatchSize, 512, /using 512/],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '4096', (c) => c.traces.batch.maxExportBatchSize, 2048, /using 2048/],
])('%s=%s', (name, value, read, fallback, fallbackText) => {
  it('yields one problem and the fallback', () => {
    const c = resolve({ [name]: value });
    expect(c.problems).toHaveLength(1);
    const [p] = c.problems;
    expect(p?.code).toBe('OTELKIT_E_ENV_VALUE');
    expect(p?.source).toBe(name);
    expect(p?.value).toBe(value);
    expect(p?.fallback).toMatch(fallbackText);
    expect(read(c)).toEqual(fallback);
  });
});

describe('batch span processor sizes', () => {
  it('OTEL_BSP_SCHEDULE_DELAY=0 is valid: export at the next tick', () => {
    const c = resolve({ OTEL_BSP_SCHEDULE_DELAY: '0' });
    expect(c.problems).toEqual([]);
    expect(c.traces.batch.scheduleDelayMillis).toBe(0);
  });

  it('a batch size above the queue size is one problem naming the batch-size variable, and lowered to the queue size', () => {
    const c = resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200' });
    expect(c.problems).toEqual([
      { code: 'OTELKIT_E_ENV_VALUE', source: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', value: '200', expected: 'at most the max queue size (100)', fallback: 'using 100' },
    ]);
    expect(c.traces.batch).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
  });

  it('a batch size equal to the queue size is fine', () => {
    const c = resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '300', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '300' });
    expect(c.problems).toEqual([]);
    expect(c.traces.batch).toMatchObject({ maxQueueSize: 300, maxExportBatchSize: 300 });
  });

  it('a small queue with the default batch size lowers the batch size without a problem', () => {
    const c = resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '100' });
    expect(c.problems).toEqual([]);
    expect(c.traces.batch).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
  });

  it('a batch size from code above a queue size from env names the queue variable', () => {
    const c = resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '100' }, { traces: { batch: { maxExportBatchSize: 200 } } });
    expect(c.problems.map((p) => [p.code, p.source, p.value, p.fallback])).toEqual([['OTELKIT_E_ENV_VALUE', 'OTEL_BSP_MAX_QUEUE_SIZE', '100', 'the batch size is lowered to 100']]);
    expect(c.traces.batch).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
  });

  it('code options win over env', () => {
    const c = resolve(
      { OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BSP_EXPORT_TIMEOUT: '100', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100' },
      { traces: { batch: { scheduleDelayMillis: 1, exportTimeoutMillis: 2, maxQueueSize: 30, maxExportBatchSize: 3 } } },
    );
    expect(c.problems).toEqual([]);
    expect(c.traces.batch).toEqual({ scheduleDelayMillis: 1, exportTimeoutMillis: 2, maxQueueSize: 30, maxExportBatchSize: 3 });
  });

  it('with OTELKIT_STRICT=true a bad value is still one problem, which start() turns into exit code 1', () => {
    const c = resolve({ OTELKIT_STRICT: 'true', OTEL_BSP_MAX_QUEUE_SIZE: 'lots' });
    expect(c.strict).toBe(true);
    expect(c.problems.map((p) => p.source)).toEqual(['OTEL_BSP_MAX_QUEUE_SIZE']);
  });
});

describe('secrets in bad values', () => {
  it('OTELKIT_PROMETHEUS_AUTH is never echoed and the pull endpoint stays off rather than open', () => {
    const c = resolve({ OTELKIT_PROMETHEUS_AUTH: 'digest:hunter2' });
    expect(c.problems[0]?.value).toBe('***');
    expect(JSON.stringify(c.problems)).not.toContain('hunter2');
    expect(c.metrics.exporters).toEqual(['otlp']);
  });
  it('malformed header entries are reported with values hidden', () => {
    const c = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20tok,garbage' });
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]?.value).not.toContain('tok');
    expect(c.traces.otlp.headers).toEqual({ authorization: 'Bearer tok' });
  });
});

describe('OTEL_CONFIG_FILE', () => {
  const yaml = `
file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: \${SERVICE:-from-file}
    - name: deployment.environment.name
      value: staging
meter_provider:
  readers:
    - periodic:
        interval: 5000
        exporter:
          otlp_http:
            endpoint: http://file-collector:4318/v1/metrics
            headers:
              - name: api-key
                value: \${env:API_KEY}
    - pull:
        exporter:
          prometheus/development:
            host: 127.0.0.1
            port: 9555
tracer_provider:
  sampler:
    parent_based:
      root:
        trace_id_ratio_based:
          ratio: 0.1
  processors:
    - batch:
        exporter:
          otlp_grpc:
            endpoint: http://file-collector:4317
propagator:
  composite:
    - tracecontext:
    - b3multi:
`;

  it('maps the supported subset with ${ENV} substitution', () => {
    const path = file('otel.yaml', yaml);
    const c = resolve({ OTEL_CONFIG_FILE: path, API_KEY: 'k1' });
    expect(c.problems).toEqual([]);
    expect(c.configFile).toBe(path);
    expect(c.serviceName).toBe('from-file');
    expect(c.resourceAttributes).toEqual({ 'deployment.environment.name': 'staging' });
    expect(c.metrics.exporters).toEqual(['otlp', 'prometheus']);
    expect(c.metrics.otlp).toMatchObject({ endpoint: 'http://file-collector:4318/v1/metrics', protocol: 'http/protobuf', headers: { 'api-key': 'k1' } });
    expect(c.metrics.exportIntervalMillis).toBe(5000);
    expect(c.metrics.prometheus).toMatchObject({ host: '127.0.0.1', port: 9555 });
    expect(c.traces.otlp).toMatchObject({ endpoint: 'http://file-collector:4317', protocol: 'grpc' });
    expect(c.traces.sampler).toEqual({ kind: 'named', name: 'parentbased_traceidratio', ratio: 0.1 });
    expect(c.propagators).toEqual(['tracecontext', 'b3multi']);
  });

  it('wins over env, and code wins over the file', () => {
    const path = file('otel2.yaml', yaml);
    const c = resolve({ OTEL_CONFIG_FILE: path, OTEL_SERVICE_NAME: 'from-env', OTEL_METRIC_EXPORT_INTERVAL: '100' }, { metrics: { exportIntervalMillis: 42 } });
    expect(c.serviceName).toBe('from-file');
    expect(c.metrics.exportIntervalMillis).toBe(42);
  });

  it('disabled: true disables the SDK', () => {
    expect(resolve({ OTEL_CONFIG_FILE: file('off.yaml', 'file_format: "1.0"\ndisabled: true\n') }).disabled).toBe(true);
  });

  it('an unreadable file is one problem and otherwise ignored', () => {
    const c = resolve({ OTEL_CONFIG_FILE: join(dir, 'missing.yaml'), OTEL_SERVICE_NAME: 'env-name' });
    expect(c.problems.map((p) => p.code)).toEqual(['OTELKIT_E_CONFIG_FILE']);
    expect(c.serviceName).toBe('env-name');
  });

  it('invalid YAML is one problem', () => {
    const c = resolve({ OTEL_CONFIG_FILE: file('bad.yaml', 'file_format: "1.0"\nresource: [unclosed\n') });
    expect(c.problems.map((p) => p.code)).toEqual(['OTELKIT_E_CONFIG_FILE']);
  });

  it('bad values and unsupported parts are reported and skipped', () => {
    const c = resolve({
      OTEL_CONFIG_FILE: file(
        'partly.yaml',
        'file_format: "1.0"\nlogger_provider: {}\nfoo: 1\nmeter_provider:\n  readers:\n    - periodic:\n        interval: never\n        exporter:\n          otlp_grpc:\n            endpoint: not-a-url\n',
      ),
    });
    expect(c.problems.map((p) => [p.code, p.source])).toEqual([
      ['OTELKIT_E_FILE_UNSUPPORTED', 'OTEL_CONFIG_FILE foo'],
      ['OTELKIT_E_FILE_VALUE', 'OTEL_CONFIG_FILE meter_provider.readers[0].periodic.interval'],
      ['OTELKIT_E_FILE_VALUE', 'OTEL_CONFIG_FILE meter_provider.readers[0].periodic.exporter.otlp_grpc.endpoint'],
    ]);
    expect(c.metrics.exporters).toEqual(['otlp']);
    expect(c.metrics.otlp.endpoint).toBe('http://localhost:4317');
  });

  const batchYaml = (batch: string, extra = ''): string =>
    `file_format: "1.0"\ntracer_provider:\n  processors:\n    - batch:\n${batch}        exporter:\n          otlp_http:\n            endpoint: http://c:4318/v1/traces\n${extra}`;

  it('reads batch processor settings, over env and under code', () => {
    const path = file('batch.yaml', batchYaml('        schedule_delay: 250\n        export_timeout: 4000\n        max_queue_size: 1000\n        max_export_batch_size: 50\n'));
    const c = resolve({ OTEL_CONFIG_FILE: path, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BSP_MAX_QUEUE_SIZE: '10' });
    expect(c.problems).toEqual([]);
    expect(c.traces.batch).toEqual({ scheduleDelayMillis: 250, exportTimeoutMillis: 4000, maxQueueSize: 1000, maxExportBatchSize: 50 });
    expect(resolve({ OTEL_CONFIG_FILE: path }, { traces: { batch: { scheduleDelayMillis: 7 } } }).traces.batch.scheduleDelayMillis).toBe(7);
  });

  it('a bad batch value is one problem naming its path; env applies', () => {
    const c = resolve({ OTEL_CONFIG_FILE: file('batch-bad.yaml', batchYaml('        export_timeout: 0\n')), OTEL_BSP_EXPORT_TIMEOUT: '900' });
    expect(c.problems.map((p) => [p.code, p.source, p.value])).toEqual([['OTELKIT_E_FILE_VALUE', 'OTEL_CONFIG_FILE tracer_provider.processors[0].batch.export_timeout', '0']]);
    expect(c.traces.batch.exportTimeoutMillis).toBe(900);
  });

  it('a file batch size above the queue size names the file path', () => {
    const c = resolve({ OTEL_CONFIG_FILE: file('batch-big.yaml', batchYaml('        max_export_batch_size: 600\n')), OTEL_BSP_MAX_QUEUE_SIZE: '500' });
    expect(c.problems.map((p) => [p.code, p.source, p.value, p.fallback])).toEqual([
      ['OTELKIT_E_FILE_VALUE', 'OTEL_CONFIG_FILE tracer_provider.processors[0].batch.max_export_batch_size', '600', 'using 500'],
    ]);
    expect(c.traces.batch.maxExportBatchSize).toBe(500);
  });

  it('two processors with different batch settings: the first is used, the second reported', () => {
    const second = '    - batch:\n        schedule_delay: 900\n        exporter:\n          console: {}\n';
    const c = resolve({ OTEL_CONFIG_FILE: file('batch-two.yaml', batchYaml('        schedule_delay: 300\n', second)) });
    expect(c.problems.map((p) => [p.code, p.source])).toEqual([['OTELKIT_E_FILE_UNSUPPORTED', 'OTEL_CONFIG_FILE tracer_provider.processors[1].batch.schedule_delay']]);
    expect(c.traces.batch.scheduleDelayMillis).toBe(300);
    expect(c.traces.exporters).toEqual(['otlp', 'console']);
  });

  it('an empty reader list turns metrics off', () => {
    expect(resolve({ OTEL_CONFIG_FILE: file('none.yaml', 'file_format: "1.0"\nmeter_provider:\n  readers: []\n') }).metrics.exporters).toEqual(['none']);
  });
});

describe('code options', () => {
  it('win over env', () => {
    const c = resolve({ OTEL_SERVICE_NAME: 'env', OTEL_METRICS_EXPORTER: 'console' }, { serviceName: 'code', metrics: { exporters: 'prometheus' } });
    expect(c.serviceName).toBe('code');
    expect(c.serviceNameSource).toBe('code');
    expect(c.metrics.exporters).toEqual(['prometheus']);
  });

  it('take a Sampler instance and pack definitions', () => {
    const sampler = new AlwaysOnSampler();
    const pack = definePack({ name: 'inline', core: '*', catalog: [], setup() {} });
    const c = resolve({}, { traces: { sampler }, packs: [pack, '@otelkit/http'] });
    expect(c.traces.sampler).toEqual({ kind: 'custom', sampler });
    expect(c.packs.explicit).toEqual([pack, '@otelkit/http']);
  });

  it.each<[string, OtelkitOptions]>([
    ['metrics.exportIntervalMillis', { metrics: { exportIntervalMillis: -1 } }],
    ['metrics.exporters', { metrics: { exporters: ['statsd' as 'otlp'] } }],
    ['traces.otlp.endpoint', { traces: { otlp: { endpoint: 'localhost:4318' } } }],
    ['traces.sampler', { traces: { sampler: 'sometimes' as 'always_on' } }],
    ['metrics.prometheus.port', { metrics: { prometheus: { port: 123456 } } }],
    ['metrics.prometheus.collectTimeoutMillis', { metrics: { prometheus: { collectTimeoutMillis: 0 } } }],
    ['metrics.prometheus.naming', { metrics: { prometheus: { naming: 'prometheus' as 'collector' } } }],
    ['packs', { packs: [{ name: 'not-defined' } as never] }],
    ['serviceName', { serviceName: '' }],
    ['traces.batch.scheduleDelayMillis', { traces: { batch: { scheduleDelayMillis: -1 } } }],
    ['traces.batch.exportTimeoutMillis', { traces: { batch: { exportTimeoutMillis: 0 } } }],
    ['traces.batch.maxQueueSize', { traces: { batch: { maxQueueSize: 0 } } }],
    ['traces.batch.maxExportBatchSize', { traces: { batch: { maxExportBatchSize: 1.5 } } }],
    ['traces.batch.maxExportBatchSize', { traces: { batch: { maxQueueSize: 10, maxExportBatchSize: 20 } } }],
  ])('throw OTELKIT_E_OPTION for a bad %s', (path, options) => {
    expect(() => resolve({}, options)).toThrow(OtelkitError);
    expect(() => resolve({}, options)).toThrow(new RegExp(`start\\(\\{ ${path.replace('.', '\\.')}.*OTELKIT_E_OPTION`));
  });
});
