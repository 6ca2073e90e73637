import type { BreakerState } from '../catalog.js';
import { BreakerRecorder } from '../recorder.js';

interface Disposable {
  dispose(): void;
}

/** The parts of a cockatiel `CircuitBreakerPolicy` (v4) this adapter uses. */
export interface CockatielCircuitBreaker {
  readonly state: number;
  readonly onStateChange: (listener: (state: number) => void) => Disposable;
  readonly onSuccess: (listener: (event: { duration: number }) => void) => Disposable;
  readonly onFailure: (listener: (event: { duration: number; reason?: object }) => void) => Disposable;
  execute<T>(fn: (context: unknown) => T | PromiseLike<T>, signal?: AbortSignal): Promise<T>;
}

export interface InstrumentCircuitBreakerOptions {
  /** The `circuit_breaker.name` label: bounded, e.g. the dependency it protects. */
  readonly name: string;
}

// cockatiel's CircuitState enum: Closed = 0, Open = 1, HalfOpen = 2, Isolated = 3.
const STATES: readonly BreakerState[] = ['closed', 'open', 'half_open', 'isolated'];

const instrumented = new WeakSet<object>();

/**
 * Records a cockatiel circuit breaker's state, transitions, calls by outcome and call duration.
 * Rejections (`BrokenCircuitError`, `IsolatedCircuitError`) are counted by wrapping `execute`, the only place
 * cockatiel reports them. Instrumenting the same policy twice does nothing. Returns the policy.
 */
export function instrumentCircuitBreaker<P extends CockatielCircuitBreaker>(policy: P, options: InstrumentCircuitBreakerOptions): P {
  if (typeof options?.name !== 'string' || options.name === '') {
    throw new TypeError('otelkit: instrumentCircuitBreaker(policy, { name }) needs a non-empty name');
  }
  if (instrumented.has(policy)) return policy;
  instrumented.add(policy);
  const recorder = new BreakerRecorder(options.name);
  recorder.state(STATES[policy.state] ?? 'closed', false);
  policy.onStateChange((state) => {
    const s = STATES[state];
    if (s !== undefined) recorder.state(s);
  });
  policy.onSuccess((e) => recorder.call('success', e.duration / 1000));
  // A timeout policy inside the breaker cancels the call with TaskCancelledError: that is a timeout, not a failure.
  policy.onFailure((e) => {
    const error = e.reason !== undefined && 'error' in e.reason ? (e.reason.error as { isTaskCancelledError?: unknown } | null) : undefined;
    recorder.call(error?.isTaskCancelledError === true ? 'timeout' : 'failure', e.duration / 1000);
  });
  const original = policy.execute;
  const onRejected = (error: unknown): never => {
    if ((error as { isBrokenCircuitError?: unknown } | null)?.isBrokenCircuitError === true) recorder.call('rejected');
    throw error;
  };
  Object.defineProperty(policy, 'execute', {
    configurable: true,
    writable: true,
    value: function execute(this: P, fn: (context: unknown) => unknown, signal?: AbortSignal): Promise<unknown> {
      return original.call(this, fn, signal).then(undefined, onRejected);
    },
  });
  return policy;
}
