import { instrumentOptions, type RuntimeCollector } from './base.js';

const NO_ATTRIBUTES = Object.freeze({});

/**
 * `nodejs.eventloop.delay`: a cumulative histogram of how late a `resolution`-ms interval timer fires.
 *
 * Why not `perf_hooks.monitorEventLoopDelay`: its HDR histogram exposes percentiles, not bucket counts, so it can
 * only feed gauges that are reset after each collection — and every reader (each Prometheus replica, the OTLP
 * push) would then reset the others' window. Each sample goes into an SDK histogram instead, which any number of
 * readers can read without side effects; `histogram_quantile(0.99, rate(..._bucket[5m]))` gives any window.
 * The sampler does what the native monitor does (one unref'd timer per resolution), at one record per tick.
 */
export const eventLoopDelay: RuntimeCollector = {
  name: 'event-loop-delay',
  start(meter, options) {
    const resolution = options.eventLoopDelayResolutionMs ?? 10;
    const histogram = meter.createHistogram('nodejs.eventloop.delay', instrumentOptions('nodejs.eventloop.delay'));
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const lateMs = now - last - resolution;
      last = now;
      // libuv's clock has millisecond granularity: a timer can look a fraction early, which is no delay at all.
      histogram.record(lateMs > 0 ? lateMs / 1000 : 0, NO_ATTRIBUTES);
    }, resolution);
    timer.unref();
    return () => clearInterval(timer);
  },
};
