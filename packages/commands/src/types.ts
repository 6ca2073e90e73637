import type { Attributes } from '@opentelemetry/api';
import type { CommandOutcome } from './catalog.js';

/**
 * Decides the outcome of a command that threw. Return `undefined` to fall back to the default classifier
 * ({@link classifyCommandError}).
 */
export type CommandClassifier = (error: unknown, commandType: string) => CommandOutcome | undefined;

/** Options of the commands pack: `start({ packOptions: { commands: {...} } })` or {@link configureCommands}. */
export interface CommandsOptions {
  /**
   * Start a `command <Type>` span per command. Metrics are recorded either way.
   * @default true
   */
  readonly spans?: boolean;
  /** Overrides the default outcome classification for every command. */
  readonly classify?: CommandClassifier;
  /**
   * Instrument `@nestjs/cqrs`'s `CommandBus.execute` automatically when the app loads it.
   * @default true
   */
  readonly nestjsCqrs?: boolean;
  /**
   * Monotonic clock in milliseconds used for durations. Tests inject one for deterministic histograms.
   * @default performance.now
   */
  readonly now?: () => number;
}

/** Per-call options of {@link withCommand} / {@link instrumentCommand}. */
export interface CommandCallOptions {
  /**
   * Extra span attributes, e.g. `{ 'aggregate.id': id, 'correlation.id': cid }`. They go on the span only,
   * never on metrics (unbounded values).
   */
  readonly attributes?: Attributes;
  /** Outcome classifier for this call; falls back to the pack's classifier, then the default. */
  readonly classify?: CommandClassifier;
}
