import type { Attributes } from '@opentelemetry/api';
import type { Instruments } from '@otelkit/node/kit';
import type { BreakerOutcome, BreakerState, catalog } from './catalog.js';

type BreakerInstruments = Instruments<typeof catalog>;

let active: BreakerInstruments | undefined;
// Every recorder alive, so the pack can publish their states when it is set up: an app may create and instrument
// breakers while core is still loading packs. Weak, so a breaker the app drops is collected; and swept of the refs
// of collected ones whenever it doubles, so an app creating breakers per request does not grow it without bound.
const live = new Set<WeakRef<BreakerRecorder>>();
const MIN_SWEEP_AT = 64;
let sweepAt = MIN_SWEEP_AT;

function track(recorder: BreakerRecorder): void {
  if (live.size >= sweepAt) {
    for (const ref of live) if (ref.deref() === undefined) live.delete(ref);
    sweepAt = Math.max(MIN_SWEEP_AT, live.size * 2);
  }
  live.add(new WeakRef(recorder));
}

/** Weak references the pack holds (for the bounded-state test; not exported from the package). */
export function trackedRecorders(): number {
  return live.size;
}

/**
 * Called by the pack's setup (and with undefined by dispose). Until setup, and after dispose, recorders only track
 * state: the app's telemetry is off, or not on yet.
 */
export function useInstruments(instruments: BreakerInstruments | undefined): void {
  active = instruments;
  if (instruments === undefined) return;
  for (const ref of live) {
    const recorder = ref.deref();
    if (recorder === undefined) live.delete(ref);
    else recorder.publishState();
  }
}

/**
 * Records one breaker's telemetry. Attribute objects are built once per breaker, frozen, and reused for every call,
 * so the hot path allocates nothing and the metrics SDK keys each set once (core's bundle memoizes frozen sets).
 */
export class BreakerRecorder {
  readonly name: string;
  private readonly base: Attributes;
  private readonly byOutcome: Readonly<Record<BreakerOutcome, Attributes>>;
  private readonly byState: Readonly<Record<BreakerState, Attributes>>;
  private current: BreakerState | undefined;

  constructor(name: string) {
    this.name = name;
    this.base = Object.freeze({ 'circuit_breaker.name': name });
    const outcome = (o: BreakerOutcome): Attributes => Object.freeze({ 'circuit_breaker.name': name, 'circuit_breaker.outcome': o });
    const state = (s: BreakerState): Attributes => Object.freeze({ 'circuit_breaker.name': name, 'circuit_breaker.state': s });
    this.byOutcome = { success: outcome('success'), failure: outcome('failure'), timeout: outcome('timeout'), rejected: outcome('rejected') };
    this.byState = { closed: state('closed'), open: state('open'), half_open: state('half_open'), isolated: state('isolated') };
    track(this);
  }

  /** Records the state the breaker is in; counts a transition when it differs from the last one seen. */
  state(state: BreakerState, countTransition = true): void {
    if (state === this.current) return;
    const previous = this.current;
    this.current = state;
    if (active === undefined) return;
    active['circuit_breaker.state'].set(state, this.base);
    if (countTransition && previous !== undefined) active['circuit_breaker.transitions'].add(1, this.byState[state]);
  }

  /** Writes the current state again, to instruments that did not exist when it was entered. */
  publishState(): void {
    if (this.current !== undefined) active?.['circuit_breaker.state'].set(this.current, this.base);
  }

  /** The breaker went away (opossum `shutdown`): every state series drops to 0. */
  gone(): void {
    this.current = undefined;
    active?.['circuit_breaker.state'].set('', this.base);
  }

  /** One call; `seconds` is undefined for calls that were not attempted. */
  call(outcome: BreakerOutcome, seconds?: number): void {
    if (active === undefined) return;
    const attrs = this.byOutcome[outcome];
    active['circuit_breaker.calls'].add(1, attrs);
    if (seconds !== undefined) active['circuit_breaker.call.duration'].record(seconds, attrs);
  }

  fallback(outcome: BreakerOutcome): void {
    active?.['circuit_breaker.fallbacks'].add(1, this.byOutcome[outcome]);
  }
}
