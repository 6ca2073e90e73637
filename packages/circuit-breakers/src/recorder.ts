import { metrics, type Attributes } from '@opentelemetry/api';
import { createInstruments, type Instruments } from '@otelkit/node';
import { catalog, type BreakerOutcome, type BreakerState } from './catalog.js';

type BreakerInstruments = Instruments<typeof catalog>;

let active: BreakerInstruments | undefined;

/** Called by the pack's setup/dispose: recorders write to the pack's instruments from then on. */
export function useInstruments(instruments: BreakerInstruments | undefined): void {
  active = instruments;
}

// Code that instruments a breaker while otelkit is not started still records, through the global meter.
function instruments(): BreakerInstruments {
  active ??= createInstruments(metrics.getMeter('@otelkit/circuit-breakers'), catalog);
  return active;
}

/**
 * Records one breaker's telemetry. Attribute objects are built once per breaker and reused for every call, so
 * the hot path allocates nothing.
 */
export class BreakerRecorder {
  readonly name: string;
  private readonly base: Attributes;
  private readonly byOutcome: Readonly<Record<BreakerOutcome, Attributes>>;
  private readonly byState: Readonly<Record<BreakerState, Attributes>>;
  private current: BreakerState | undefined;

  constructor(name: string) {
    this.name = name;
    this.base = { 'circuit_breaker.name': name };
    const outcome = (o: BreakerOutcome): Attributes => ({ 'circuit_breaker.name': name, 'circuit_breaker.outcome': o });
    const state = (s: BreakerState): Attributes => ({ 'circuit_breaker.name': name, 'circuit_breaker.state': s });
    this.byOutcome = { success: outcome('success'), failure: outcome('failure'), timeout: outcome('timeout'), rejected: outcome('rejected') };
    this.byState = { closed: state('closed'), open: state('open'), half_open: state('half_open'), isolated: state('isolated') };
  }

  /** Records the state the breaker is in; counts a transition when it differs from the last one seen. */
  state(state: BreakerState, countTransition = true): void {
    if (state === this.current) return;
    const previous = this.current;
    this.current = state;
    const i = instruments();
    i['circuit_breaker.state'].set(state, this.base);
    if (countTransition && previous !== undefined) i['circuit_breaker.transitions'].add(1, this.byState[state]);
  }

  /** The breaker went away (opossum `shutdown`): every state series drops to 0. */
  gone(): void {
    this.current = undefined;
    instruments()['circuit_breaker.state'].set('', this.base);
  }

  /** One call; `seconds` is undefined for calls that were not attempted. */
  call(outcome: BreakerOutcome, seconds?: number): void {
    const i = instruments();
    const attrs = this.byOutcome[outcome];
    i['circuit_breaker.calls'].add(1, attrs);
    if (seconds !== undefined) i['circuit_breaker.call.duration'].record(seconds, attrs);
  }

  fallback(outcome: BreakerOutcome): void {
    instruments()['circuit_breaker.fallbacks'].add(1, this.byOutcome[outcome]);
  }
}
