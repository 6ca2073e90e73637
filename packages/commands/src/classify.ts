import { CONCURRENCY_ERROR_NAMES, errorClassName } from '@otelkit/node/kit';
import type { CommandOutcome } from './catalog.js';

// Infrastructure errors whose names look like domain rejections but mean the app is misconfigured.
const FAILURE_NAMES: ReadonlySet<string> = new Set(['CommandHandlerNotFoundException', 'InvalidCommandHandlerException']);

// Domain or validation refusals: the command was understood and refused because of its input or the current
// state. They are an expected answer (a 4xx, not a 5xx), so they must not count as failures in error ratios.
const REJECTED_NAME = /Validation|Rejected|Invalid|IllegalState|NotFound|Forbidden|Unauthori[sz]ed|BusinessRule|DomainError/;

/** The name used for `error.type`: the error's class name, else its `name`, else `Error`. */
export function errorTypeOf(error: unknown): string {
  return errorClassName(error) ?? (typeof error === 'string' ? 'string' : 'Error');
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function statusOf(error: object): number | undefined {
  const e = error as { errorCode?: unknown; status?: unknown; statusCode?: unknown; getStatus?: unknown };
  // Emmett's EmmettError.errorCode, then HTTP-style errors (NestJS HttpException, http-errors).
  const code = numeric(e.errorCode) ?? numeric(e.statusCode) ?? numeric(e.status);
  if (code !== undefined) return code;
  if (typeof e.getStatus === 'function') {
    try {
      return numeric((e.getStatus as () => unknown).call(error));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The default outcome of a command that threw:
 * - `conflict`: optimistic concurrency (Emmett `ExpectedVersionConflictError`/`ConcurrencyError`, KurrentDB
 *   `WrongExpectedVersionError`, status 409/412);
 * - `rejected`: a domain or validation refusal (class name matching Validation, Rejected, Invalid, IllegalState,
 *   NotFound, Forbidden, Unauthorized, BusinessRule, DomainError; Emmett codes 400/403/404; any other 4xx status);
 * - `failure`: everything else, including a missing command handler.
 */
export function classifyCommandError(error: unknown): CommandOutcome {
  if (typeof error !== 'object' || error === null) return 'failure';
  const type = errorTypeOf(error);
  if (FAILURE_NAMES.has(type)) return 'failure';
  if (CONCURRENCY_ERROR_NAMES.has(type)) return 'conflict';
  const status = statusOf(error);
  if (status === 409 || status === 412) return 'conflict';
  if (REJECTED_NAME.test(type)) return 'rejected';
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && name !== type) {
    if (CONCURRENCY_ERROR_NAMES.has(name)) return 'conflict';
    if (REJECTED_NAME.test(name)) return 'rejected';
  }
  if (status !== undefined && status >= 400 && status < 500) return 'rejected';
  return 'failure';
}
