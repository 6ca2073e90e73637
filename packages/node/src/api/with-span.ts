import { SpanStatusCode, trace, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';

/** Options of `withSpan`: the usual span options plus the tracer to use. */
export interface WithSpanOptions extends SpanOptions {
  /** @default trace.getTracer('app') */
  readonly tracer?: Tracer;
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (error instanceof Error) span.setAttribute('error.type', error.name);
}

/**
 * Runs `fn` inside a new active span and ends the span when `fn` returns or its promise settles. A throw or
 * rejection is recorded on the span, sets status ERROR, and is rethrown unchanged.
 */
export function withSpan<T>(name: string, fn: (span: Span) => T, options: WithSpanOptions = {}): T {
  const { tracer = trace.getTracer('app'), ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          fail(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}
