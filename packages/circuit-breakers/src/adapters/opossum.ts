import { createRequire } from 'node:module';
import { join } from 'node:path';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationModuleDefinition } from '@otelkit/node/instrumentation';
import type { BreakerOutcome } from '../catalog.js';
import { BreakerRecorder } from '../recorder.js';

/** The parts of an opossum `CircuitBreaker` (v6–v10) this adapter reads. */
export interface OpossumBreaker {
  readonly options?: { readonly name?: string; readonly group?: string };
  readonly action?: { readonly name?: string };
  readonly opened?: boolean;
  readonly halfOpen?: boolean;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

type Emit = OpossumBreaker['emit'];

// Marks a patched prototype, shared across copies of this pack in one process so a breaker is never counted twice.
const PATCHED: unique symbol = Symbol.for('otelkit.circuit-breakers.opossum') as never;

interface PatchedPrototype {
  emit: Emit;
  [PATCHED]?: { readonly original: Emit; readonly hadOwn: boolean };
}

/** Per-breaker state: the recorder and what the event in progress was, since opossum emits some outcomes twice. */
class Tracked {
  readonly recorder: BreakerRecorder;
  /** Set by `timeout`/`semaphoreLocked`, which opossum follows synchronously with `failure` (or `success`). */
  echo: BreakerOutcome | undefined;
  /** The outcome a `fallback` event that follows synchronously belongs to. */
  last: BreakerOutcome = 'failure';

  constructor(recorder: BreakerRecorder) {
    this.recorder = recorder;
  }
}

const tracked = new WeakMap<object, Tracked>();

function breakerName(b: OpossumBreaker): string {
  // opossum invents a random name for anonymous breakers; a random label value per breaker would be unbounded.
  return b.options?.name || b.options?.group || b.action?.name || 'unnamed';
}

function track(b: OpossumBreaker): Tracked {
  let t = tracked.get(b);
  if (t === undefined) {
    t = new Tracked(new BreakerRecorder(breakerName(b)));
    tracked.set(b, t);
    t.recorder.state(b.opened === true ? 'open' : b.halfOpen === true ? 'half_open' : 'closed', false);
  }
  return t;
}

const seconds = (ms: unknown): number | undefined => (typeof ms === 'number' ? ms / 1000 : undefined);

function observe(b: OpossumBreaker, event: string | symbol, a1: unknown, a2: unknown): void {
  switch (event) {
    case 'success': {
      const t = track(b);
      // A timeout whose error the breaker's errorFilter accepts is reported as success: already counted.
      if (t.echo !== undefined) t.echo = undefined;
      else t.recorder.call('success', seconds(a2));
      return;
    }
    case 'failure': {
      const t = track(b);
      if (t.echo !== undefined) {
        t.echo = undefined;
        return;
      }
      t.last = 'failure';
      t.recorder.call('failure', seconds(a2));
      return;
    }
    case 'timeout': {
      const t = track(b);
      t.echo = t.last = 'timeout';
      t.recorder.call('timeout', seconds(a2));
      return;
    }
    case 'semaphoreLocked': {
      const t = track(b);
      t.echo = t.last = 'rejected';
      t.recorder.call('rejected');
      return;
    }
    case 'reject': {
      const t = track(b);
      t.last = 'rejected';
      t.recorder.call('rejected');
      return;
    }
    case 'fallback': {
      const t = track(b);
      t.recorder.fallback(t.last);
      return;
    }
    case 'open':
      track(b).recorder.state('open');
      return;
    case 'close':
      track(b).recorder.state('closed');
      return;
    case 'halfOpen':
      track(b).recorder.state('half_open');
      return;
    case 'shutdown':
      track(b).recorder.gone();
      return;
    case 'fire':
      // First sight of a breaker created before the patch: records its current state.
      track(b);
      return;
    default:
      return;
  }
}

const patched = new Set<PatchedPrototype>();

/**
 * Observes every breaker of an opossum `CircuitBreaker` class by wrapping the `emit` its instances inherit:
 * breakers created before or after, under any name, without listeners that `shutdown()` would remove.
 * Returns false when the prototype was already patched (by this or another copy of the pack).
 */
export function patchOpossumPrototype(proto: unknown): boolean {
  if (typeof proto !== 'object' || proto === null || typeof (proto as PatchedPrototype).emit !== 'function') return false;
  const p = proto as PatchedPrototype;
  if (Object.prototype.hasOwnProperty.call(p, PATCHED)) return false;
  const original = p.emit;
  const hadOwn = Object.prototype.hasOwnProperty.call(p, 'emit');
  Object.defineProperty(p, PATCHED, { value: { original, hadOwn }, configurable: true });
  p.emit = function emit(this: OpossumBreaker, event: string | symbol, a1?: unknown, a2?: unknown): boolean {
    try {
      observe(this, event, a1, a2);
    } catch {
      // Telemetry must never break the breaker.
    }
    // `arguments` keeps every argument without allocating a rest array on each event.
    // eslint-disable-next-line prefer-rest-params
    return Reflect.apply(original, this, arguments) as boolean;
  };
  patched.add(p);
  return true;
}

export function unpatchOpossumPrototype(proto: unknown): void {
  if (typeof proto !== 'object' || proto === null) return;
  const p = proto as PatchedPrototype;
  const info = Object.prototype.hasOwnProperty.call(p, PATCHED) ? p[PATCHED] : undefined;
  if (info === undefined) return;
  if (info.hadOwn) p.emit = info.original;
  else delete (p as Partial<PatchedPrototype>).emit;
  delete p[PATCHED];
  patched.delete(p);
}

/** Undoes every patch this copy of the pack applied. */
export function unpatchAllOpossum(): void {
  for (const p of [...patched]) unpatchOpossumPrototype(p);
}

function classOf(moduleExports: unknown): { prototype?: unknown } | undefined {
  // CommonJS require gives the class; an ESM import (through import-in-the-middle) gives a namespace with `default`.
  if (typeof moduleExports === 'function') return moduleExports as { prototype?: unknown };
  const d = (moduleExports as { default?: unknown } | null)?.default;
  return typeof d === 'function' ? (d as { prototype?: unknown }) : undefined;
}

/**
 * Instruments one opossum breaker (and with it every breaker of its class), for breakers created before otelkit
 * started or when opossum was loaded before the hooks were registered. Returns the breaker.
 */
export function instrumentOpossum<B extends object>(breaker: B): B {
  patchOpossumPrototype(Object.getPrototypeOf(breaker));
  track(breaker as unknown as OpossumBreaker);
  return breaker;
}

/**
 * If the app loaded opossum before otelkit's hooks were in place, patch that already-loaded copy. Looks only in
 * the require cache: it never loads opossum itself.
 */
export function patchLoadedOpossum(fromDir: string = process.cwd()): boolean {
  try {
    const req = createRequire(join(fromDir, 'package.json'));
    const loaded = req.cache[req.resolve('opossum')];
    return loaded !== undefined && patchOpossumPrototype(classOf(loaded.exports)?.prototype);
  } catch {
    return false;
  }
}

const VERSION = '0.1.0';

/** Patches opossum when the app requires or imports it (hooks registered by `@otelkit/node/register`). */
export class OpossumInstrumentation extends InstrumentationBase {
  constructor() {
    super('@otelkit/circuit-breakers/opossum', VERSION, { enabled: false });
  }

  protected override init(): InstrumentationModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'opossum',
        ['>=6 <12'],
        (moduleExports: unknown) => {
          patchOpossumPrototype(classOf(moduleExports)?.prototype);
          return moduleExports;
        },
        (moduleExports: unknown) => {
          unpatchOpossumPrototype(classOf(moduleExports)?.prototype);
        },
      ),
    ];
  }
}
