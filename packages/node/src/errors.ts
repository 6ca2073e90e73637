// One catalogue of otelkit's coded problems. Each message names the variable or pack, what was wrong and what
// otelkit did instead, so one log line is enough to fix the setup.

/** Every problem code otelkit reports. */
export const ERROR_CODES = {
  OTELKIT_E_ENV_VALUE: 'an environment variable has a value otelkit cannot use',
  OTELKIT_E_CONFIG_FILE: 'the OTEL_CONFIG_FILE file cannot be read or parsed',
  OTELKIT_E_FILE_VALUE: 'a value in the config file is invalid',
  OTELKIT_E_FILE_UNSUPPORTED: 'the config file uses a part of the declarative schema otelkit does not support',
  OTELKIT_E_OPTION: 'an option passed to start() is invalid (thrown)',
  OTELKIT_E_PACK_VERSION: "a pack's `core` range does not include this @otelkit/node version",
  OTELKIT_E_PACK_LOAD: 'a pack could not be imported or does not default-export definePack(...)',
  OTELKIT_E_PACK_SETUP: "a pack's setup threw; the pack is skipped, the others run",
  OTELKIT_E_PACK_UNKNOWN: 'OTELKIT_PACKS names a package that is not installed or not a pack',
  OTELKIT_E_TLS: 'a TLS certificate or key file for an OTLP exporter is missing, not PEM or does not match; the exporters using it are disabled rather than connecting without it',
  OTELKIT_E_EXPORT: 'an exporter failed to deliver (rate-limited: one line per exporter per minute)',
  OTELKIT_E_PROMETHEUS_LISTEN: 'the Prometheus pull endpoint could not listen (e.g. port taken)',
  OTELKIT_E_SHUTDOWN_TIMEOUT: 'the flush at shutdown did not finish within the timeout',
  OTELKIT_E_STRICT: 'OTELKIT_STRICT=true and a configuration value was invalid: the process exits with code 1',
  OTELKIT_E_INTERNAL: 'otelkit itself failed; telemetry may be incomplete, the app keeps running',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A configuration value that was rejected, and what was used instead. */
export interface ConfigProblem {
  readonly code: ErrorCode;
  /** The env variable or config-file path, e.g. `OTEL_METRIC_EXPORT_INTERVAL`, `meter_provider.readers[0]`. */
  readonly source: string;
  /** The offending value, already redacted when secret. */
  readonly value: string;
  /** What was expected. */
  readonly expected: string;
  /** What otelkit does instead. */
  readonly fallback: string;
}

/** The one log line for a configuration problem (without the `otelkit:` prefix the logger adds). */
export function formatProblem(p: ConfigProblem): string {
  return `${p.source}=${JSON.stringify(p.value)} is invalid: expected ${p.expected}; ${p.fallback} [${p.code}]`;
}

/** Thrown by `start()` for mistakes in code options, and used for internal failures with a code. */
export class OtelkitError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(`otelkit: ${message} [${code}]`);
    this.name = 'OtelkitError';
    this.code = code;
  }
}

const SECRET_KEY = /auth|token|key|secret|password|pass|credential|cookie|signature/i;

/** Replaces a value with `***` when its name looks secret (headers, credentials). */
export function redact(name: string, value: string): string {
  return SECRET_KEY.test(name) ? '***' : value;
}

/** Header map for display: every value except a few harmless ones hidden. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = /^(content-type|user-agent|accept)$/i.test(k) ? v : '***';
  return out;
}

/** A short text for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    // First line only: Node appends require stacks and similar, and every otelkit message is one line.
    const message = error.message.split('\n')[0] ?? '';
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error).split('\n')[0] ?? '';
}
