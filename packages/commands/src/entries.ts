import { SpanKind, type Attributes, type ObservableResult, type SpanOptions } from '@opentelemetry/api';
import type { CommandOutcome } from './catalog.js';

/**
 * Distinct command types the pack keeps state for (attribute sets, in-flight count). Types come from the app, so
 * the state is capped: later types are recorded as `command.type=_OTHER` and counted in `command.overflows`. Half
 * the spec's default cardinality limit (2000), leaving room for the outcomes of each type and the _OTHER series
 * before the metrics SDK merges series into its own overflow.
 */
export const MAX_COMMAND_TYPES = 1000;

/** Distinct error types (and retry reasons) kept per command type; further ones are recorded as `_OTHER`. */
export const MAX_ERROR_TYPES = 100;

const OTHER = '_OTHER';

/** Per command type: the in-flight count and every attribute object it records with, built once and frozen. */
export class CommandEntry {
  active = 0;
  readonly activeAttributes: Attributes;
  readonly success: Attributes;
  readonly spanName: string;
  readonly spanOptions: SpanOptions;
  private readonly outcomes = new Map<string, Attributes>();
  private readonly retryReasons = new Map<string, Attributes>();

  constructor(readonly type: string) {
    this.activeAttributes = Object.freeze({ 'command.type': type });
    this.success = Object.freeze({ 'command.type': type, 'command.outcome': 'success' });
    this.spanName = `command ${type}`;
    this.spanOptions = Object.freeze({ kind: SpanKind.INTERNAL, attributes: this.activeAttributes });
  }

  outcome(outcome: CommandOutcome, errorType: string): Attributes {
    const key = `${outcome}\u0000${errorType}`;
    let attrs = this.outcomes.get(key);
    if (attrs === undefined) {
      if (this.outcomes.size >= MAX_ERROR_TYPES && errorType !== OTHER) return this.outcome(outcome, OTHER);
      attrs = Object.freeze({ 'command.type': this.type, 'command.outcome': outcome, 'error.type': errorType });
      this.outcomes.set(key, attrs);
    }
    return attrs;
  }

  retry(reason: string): Attributes {
    let attrs = this.retryReasons.get(reason);
    if (attrs === undefined) {
      if (this.retryReasons.size >= MAX_ERROR_TYPES && reason !== OTHER) return this.retry(OTHER);
      attrs = Object.freeze({ 'command.type': this.type, 'retry.reason': reason });
      this.retryReasons.set(reason, attrs);
    }
    return attrs;
  }

  /** Attribute sets this entry holds (for the bounded-state test). */
  get size(): number {
    return this.outcomes.size + this.retryReasons.size;
  }
}

/** The entry every command type beyond {@link MAX_COMMAND_TYPES} shares. */
export const OVERFLOW_ENTRY: CommandEntry = new CommandEntry(OTHER);

// Entries outlive bindings: commands in flight while the pack is rebound still decrement the right counter.
const entries = new Map<string, CommandEntry>();
let overflowed = false;

/** The entry of command `type`, created on first use; {@link OVERFLOW_ENTRY} once the cap is reached. */
export function entryFor(type: string): CommandEntry {
  let entry = entries.get(type);
  if (entry === undefined) {
    if (entries.size >= MAX_COMMAND_TYPES) {
      overflowed = true;
      return OVERFLOW_ENTRY;
    }
    entry = new CommandEntry(type);
    entries.set(type, entry);
  }
  return entry;
}

/** How many command types hold state (for the bounded-state test; not exported from the package). */
export function trackedCommandTypes(): number {
  return entries.size;
}

export function observeActive(result: ObservableResult): void {
  for (const entry of entries.values()) result.observe(entry.active, entry.activeAttributes);
  if (overflowed) result.observe(OVERFLOW_ENTRY.active, OVERFLOW_ENTRY.activeAttributes);
}
