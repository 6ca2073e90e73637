import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { ENV_VARS } from '../config/env.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LogLevel } from '../types.js';
import { exportWarningKey } from './self-telemetry.js';

const DIAG_LEVEL: Readonly<Record<LogLevel, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.WARN,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function text(message: string, args: unknown[]): string {
  const rest = args.map((a) => (a instanceof Error ? describeError(a) : typeof a === 'string' ? a : safeJson(a))).join(' ');
  return rest === '' ? message : `${message} ${rest}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Routes OpenTelemetry's own diagnostics and its global error handler through otelkit's logger. Warnings and
 * errors are rate-limited per message kind, so a collector outage cannot flood the app's stderr. At info level
 * the SDK's info chatter is hidden (otelkit's preamble says what matters).
 */
export function routeDiagnostics(logger: Logger, level: LogLevel, warn: (key: string, message: string) => void): void {
  const limited = (kind: string) => (message: string, ...args: unknown[]): void => {
    const line = text(message, args);
    // The OTLP exporters parse some OTEL_* variables again; otelkit already reported a bad value in its own line.
    const variable = /\b(OTEL_[A-Z_]+)\b/.exec(line)?.[1];
    if (variable !== undefined && ENV_VARS.includes(variable)) {
      logger.debug(`otelkit: [otel ${kind}] ${line}`);
      return;
    }
    // A timed-out push is the same outage the exporter wrapper already reports: share its once-a-minute budget.
    if (/^PeriodicExportingMetricReader: metrics export/.test(message)) {
      const what = line.replace(/^PeriodicExportingMetricReader: /, '');
      warn(exportWarningKey('metrics'), `otelkit: ${what}; this batch is dropped, the app is unaffected and otelkit retries with the next batch [OTELKIT_E_EXPORT]`);
      return;
    }
    // The batch processor's drop warning: SelfTelemetry reports the same drops, exactly and summed per minute.
    if (/^Dropped \d+ spans because maxQueueSize reached/.test(message)) {
      logger.debug(`otelkit: [otel ${kind}] ${line}`);
      return;
    }
    // Numbers vary between repeats of one warning (counts, ports, ids); they must not make each repeat a new key.
    warn(`diag:${kind}:${message.replace(/\d+/g, '#').slice(0, 48)}`, `otelkit: [otel ${kind}] ${line}`);
  };
  const adapter: DiagLogger = {
    error: limited('error'),
    warn: limited('warn'),
    info: (m, ...a) => logger.debug(`otelkit: [otel info] ${text(m, a)}`),
    debug: (m, ...a) => logger.debug(`otelkit: [otel debug] ${text(m, a)}`),
    verbose: (m, ...a) => logger.debug(`otelkit: [otel verbose] ${text(m, a)}`),
  };
  diag.setLogger(adapter, { logLevel: DIAG_LEVEL[level], suppressOverrideMessage: true });
  // Export failures reach the global handler as well as otelkit's exporter wrapper, which already warned.
  setGlobalErrorHandler((error) => logger.debug(`otelkit: [otel error] ${describeError(error)}`));
}
