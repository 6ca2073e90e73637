// Generators of usable and unusable values for every variable otelkit reads (ENV_VARS), for the property tests
// of resolveConfig and the strict-mode process test. A variable without an entry here fails those tests, so a
// new variable cannot skip them.
import fc from 'fast-check';
import { BATCH_FIELDS } from '../parse.js';

export interface ValueSpace {
  /** Values that must give no problem (given the other variables' good values). */
  readonly good: fc.Arbitrary<string>;
  /** Values that must give exactly one problem naming the variable; absent when every value is accepted. */
  readonly bad?: fc.Arbitrary<string>;
}

/** Files the generated values point at. */
export interface ValueFiles {
  /** A config file that sets nothing (file_format only). */
  readonly emptyConfigFile: string;
  /** An existing file that is not PEM. */
  readonly notPem: string;
  /** A directory in which no file exists, for missing paths. */
  readonly missingDir: string;
}

const nonBlank = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const int = (min: number, max: number): fc.Arbitrary<string> => fc.integer({ min, max }).map((n) => (n % 3 === 0 ? ` ${n} ` : String(n)));
const notInt = fc.oneof(fc.constantFrom('often', '1.5', '1e3', '0x10', '--1', 'NaN', '12ms'), nonBlank.filter((s) => !/^\s*-?\d+\s*$/.test(s)));
const intOutside = (min: number, max: number): fc.Arbitrary<string> =>
  fc.oneof(notInt, fc.integer({ min: -1_000_000, max: min - 1 }).map(String), ...(max < Number.MAX_SAFE_INTEGER ? [fc.integer({ min: max + 1, max: max + 1_000_000 }).map(String)] : []), fc.constant('9007199254740993'));
const oneOf = (values: readonly string[]): ValueSpace => ({
  good: fc.constantFrom(...values).chain((v) => fc.constantFrom(v, v.toUpperCase(), ` ${v} `)),
  bad: nonBlank.filter((s) => !values.includes(s.trim().toLowerCase())),
});
const bool = oneOf(['true', 'false']);
const list = (known: readonly string[]): ValueSpace => ({
  good: fc.uniqueArray(fc.constantFrom(...known.filter((k) => k !== 'none')), { minLength: 1, maxLength: known.length }).map((v) => v.join(',')),
  bad: fc.tuple(fc.constantFrom(...known), fc.constantFrom('jaeger', 'zipkin', 'xray', 'otlp2', 'prom')).map(([k, u]) => `${k},${u}`),
});
const keyValues: ValueSpace = {
  good: fc.array(fc.tuple(word, fc.stringMatching(/^[a-zA-Z0-9._-]{0,8}$/)), { minLength: 1, maxLength: 3 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(',')),
  bad: fc.constantFrom('novalue', '=v', 'k=%zz', 'a=1,broken', ' = '),
};
const endpoint: ValueSpace = {
  good: fc.constantFrom('http://collector:4317', 'https://collector.example.com:4318', 'http://127.0.0.1:4318/otlp', 'https://[::1]:4317'),
  bad: fc.oneof(fc.constantFrom('collector:4317', 'ftp://collector', 'grpc://c:4317', 'http//x', 'localhost'), word),
};
const millis = (min: number): ValueSpace => ({ good: int(min, 2_147_483_647), bad: intOutside(min, Number.MAX_SAFE_INTEGER) });
const tlsFile = (files: ValueFiles): ValueSpace => ({
  // Usable TLS files need an https:// endpoint and a matching pair: the unit tests cover them; here any set value is bad.
  good: fc.constant(''),
  bad: fc.oneof(fc.constant(files.notPem), word.map((w) => `${files.missingDir}/${w}.pem`)),
});

/** The value space of every variable, keyed by name. */
export function envValueSpaces(files: ValueFiles): Record<string, ValueSpace> {
  const otlp = (prefix: string): Record<string, ValueSpace> => ({
    [`${prefix}ENDPOINT`]: endpoint,
    [`${prefix}PROTOCOL`]: oneOf(['grpc', 'http/protobuf', 'http/json']),
    [`${prefix}HEADERS`]: keyValues,
    [`${prefix}TIMEOUT`]: millis(1),
    [`${prefix}COMPRESSION`]: oneOf(['gzip', 'none']),
    [`${prefix}CERTIFICATE`]: tlsFile(files),
    [`${prefix}CLIENT_KEY`]: tlsFile(files),
    [`${prefix}CLIENT_CERTIFICATE`]: tlsFile(files),
    [`${prefix}INSECURE`]: bool,
  });
  const batch = Object.fromEntries(
    BATCH_FIELDS.map((f) => {
      // Within the defaults' relation (batch 512 <= queue 2048), so the sizes never conflict with each other.
      const range: [number, number] = f.key === 'maxQueueSize' ? [512, 100_000] : f.key === 'maxExportBatchSize' ? [1, 512] : f.key === 'scheduleDelayMillis' ? [0, 2_147_483_647] : [1, 2_147_483_647];
      const max = f.key === 'maxQueueSize' || f.key === 'maxExportBatchSize' ? Number.MAX_SAFE_INTEGER : 2_147_483_647;
      return [f.env, { good: int(...range), bad: intOutside(range[0], max) } satisfies ValueSpace];
    }),
  );
  return {
    OTEL_SDK_DISABLED: bool,
    OTEL_SERVICE_NAME: { good: nonBlank },
    OTEL_RESOURCE_ATTRIBUTES: keyValues,
    OTEL_CONFIG_FILE: { good: fc.constant(files.emptyConfigFile), bad: word.map((w) => `${files.missingDir}/${w}.yaml`) },
    OTEL_LOG_LEVEL: oneOf(['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all']),
    OTEL_METRICS_EXPORTER: list(['otlp', 'prometheus', 'console', 'none']),
    OTEL_TRACES_EXPORTER: list(['otlp', 'console', 'none']),
    ...otlp('OTEL_EXPORTER_OTLP_'),
    ...otlp('OTEL_EXPORTER_OTLP_METRICS_'),
    ...otlp('OTEL_EXPORTER_OTLP_TRACES_'),
    OTEL_EXPORTER_PROMETHEUS_HOST: { good: fc.constantFrom('0.0.0.0', '127.0.0.1', '::', 'localhost') },
    OTEL_EXPORTER_PROMETHEUS_PORT: { good: int(0, 65535), bad: intOutside(0, 65535) },
    OTEL_METRIC_EXPORT_INTERVAL: millis(1),
    OTEL_METRIC_EXPORT_TIMEOUT: millis(0),
    OTEL_TRACES_SAMPLER: oneOf(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']),
    OTEL_TRACES_SAMPLER_ARG: {
      good: fc.double({ min: 0, max: 1, noNaN: true }).map(String),
      bad: fc.oneof(fc.double({ min: 1.000001, max: 1e9, noNaN: true }).map(String), fc.constantFrom('-0.5', 'half', 'Infinity', '1/2')),
    },
    ...batch,
    OTEL_PROPAGATORS: list(['tracecontext', 'baggage', 'b3', 'b3multi', 'none']),
    OTELKIT_PACKS: { good: fc.oneof(fc.constant('none'), fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(','))) },
    OTELKIT_DISABLED_PACKS: { good: fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(',')) },
    OTELKIT_STRICT: bool,
    OTELKIT_SHUTDOWN_TIMEOUT_MS: millis(1),
    OTELKIT_METRIC_NAMESPACE: {
      good: fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join('.')),
      bad: fc.oneof(fc.constantFrom('Shop', '1x', 'a..b', 'a.', '.a', 'a-b', 'shop metrics'), nonBlank.filter((s) => !/^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/.test(s.trim()))),
    },
    OTELKIT_PROMETHEUS_AUTH: {
      good: fc.oneof(word.map((t) => `bearer:${t}`), fc.tuple(word, word).map(([u, p]) => `basic:${u}:${p}`)),
      bad: fc.constantFrom('token', 'basic:user', 'basic::pw', 'bearer:', 'digest:x', 'basic:user:'),
    },
    OTELKIT_PROMETHEUS_COLLECT_TIMEOUT_MS: millis(1),
    OTELKIT_PROMETHEUS_NAMING: oneOf(['collector', 'otel-js']),
    OTELKIT_RUNTIME_METRICS: bool,
    OTELKIT_CARDINALITY_LIMIT: { good: int(1, 100_000), bad: intOutside(1, Number.MAX_SAFE_INTEGER) },
  };
}

/** Which variables are set, and whether each holds a bad value: `[name, value, bad]`. */
export function envCases(spaces: Record<string, ValueSpace>): fc.Arbitrary<[string, string, boolean][]> {
  const entries = Object.entries(spaces).map(([name, space]) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: space.good.map((v): [string, string, boolean] => [name, v, false]) },
      ...(space.bad === undefined ? [] : [{ weight: 1, arbitrary: space.bad.map((v): [string, string, boolean] => [name, v, true]) }]),
    ),
  );
  return fc.tuple(...entries).map((cases) => cases.filter((c): c is [string, string, boolean] => c !== undefined && c[1] !== ''));
}
