import { instrumentProjection } from '../instrument.js';
import type { ProjectionOptions } from '../types.js';

/** The part of an Emmett `ProjectionDefinition` the adapter needs. */
export interface EmmettProjectionLike {
  readonly name?: string | undefined;
  readonly canHandle: readonly string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Emmett's handler context type varies by store
  handle(events: any[], context: any): unknown;
}

/** Options of {@link instrumentEmmettProjection}: the projection options plus a name when the definition has none. */
export interface EmmettProjectionOptions extends ProjectionOptions<{ readonly type: string }> {
  /** `projection.name`; defaults to the definition's `name`. */
  readonly name?: string;
}

/**
 * Instruments an Emmett projection definition (`projection(...)`, `inMemoryProjection(...)`,
 * `pongoSingleStreamProjection(...)`, ...): returns a copy whose `handle` is wrapped. Emmett hands a projection
 * every event of an append; events whose type is not in `canHandle` are counted as `skipped`.
 * Register the result as usual, e.g. `projections.inline([instrumentEmmettProjection(balance)])`.
 */
export function instrumentEmmettProjection<P extends EmmettProjectionLike>(definition: P, options: EmmettProjectionOptions = {}): P {
  const name = options.name ?? definition.name;
  if (name === undefined || name === '') {
    throw new TypeError('otelkit: instrumentEmmettProjection needs a name: give the projection a name or pass { name }');
  }
  const types = new Set(definition.canHandle);
  const original = definition.handle.bind(definition) as (events: { readonly type: string }[], context: unknown) => unknown;
  const handle = instrumentProjection(name, original, {
    canHandle: (event: { readonly type: string }) => types.has(event.type),
    ...options,
  });
  return { ...definition, handle };
}
