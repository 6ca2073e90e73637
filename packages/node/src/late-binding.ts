import { createNoopMeter, metrics, trace, type Meter, type MeterProvider, type Tracer } from '@opentelemetry/api';

/** What a pack builds from a meter and tracer; `unbind` stops whatever it registered (observable callbacks). */
export interface Bound {
  readonly unbind: () => void;
}

/** A pack's current instruments: core's from `setup`, else a lazy binding on the global API providers. */
export interface LateBinding<B extends Bound, O extends object> {
  /** The binding to record with; cheap enough to call on every operation (no allocation). */
  readonly current: () => B;
  /** Binds to core's meter and tracer (the pack's `setup`), merging `options` over the configured ones; returns the unbind function. */
  readonly bindTo: (meter: Meter, tracer: Tracer, namespace: string, options: O) => () => void;
  /** Options for the lazy binding, when otelkit's `start()` is not used; drops a lazy binding so the next call rebinds. */
  readonly configure: (options: O) => void;
}

/**
 * Late binding for a pack's explicit API (STYLE: packs never touch globals at import time). Until core binds the pack
 * in `setup`, `current()` binds lazily to the global `@opentelemetry/api` providers under `scope`, and rebinds if the
 * app registers a meter provider later.
 */
export function createLateBinding<B extends Bound, O extends object>(
  scope: string,
  bind: (meter: Meter, tracer: Tracer, namespace: string, options: O) => B,
): LateBinding<B, O> {
  let configured = {} as O;
  let binding: B | undefined;
  // The global provider a lazy binding was made from; undefined while core's binding is current.
  let lazyProvider: MeterProvider | undefined;
  // The global provider when core let go of the pack (otelkit shutting down): that is otelkit's own, about to be
  // shut down, and asking it for a meter would make the SDK warn. Until the global changes, record into no-ops.
  let releasedFrom: MeterProvider | undefined;
  return {
    current: (): B => {
      const b = binding;
      if (b !== undefined && (lazyProvider === undefined || lazyProvider === metrics.getMeterProvider())) return b;
      b?.unbind();
      const provider = metrics.getMeterProvider();
      binding = undefined;
      const released = provider === releasedFrom;
      if (!released) releasedFrom = undefined;
      const meter = released ? createNoopMeter() : provider.getMeter(scope);
      const lazy = bind(meter, trace.getTracer(scope), '', configured);
      binding = lazy;
      lazyProvider = provider;
      return lazy;
    },
    bindTo: (meter: Meter, tracer: Tracer, namespace: string, options: O): (() => void) => {
      binding?.unbind();
      binding = undefined;
      const b = bind(meter, tracer, namespace, { ...configured, ...options });
      binding = b;
      lazyProvider = undefined;
      releasedFrom = undefined;
      return () => {
        b.unbind();
        if (binding !== b) return;
        binding = undefined;
        releasedFrom = metrics.getMeterProvider();
      };
    },
    configure: (options: O): void => {
      configured = { ...options };
      if (binding !== undefined && lazyProvider !== undefined) {
        binding.unbind();
        binding = undefined;
        lazyProvider = undefined;
      }
    },
  };
}
