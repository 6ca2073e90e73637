// Wrapping one method of a class prototype, so instances made before or after share the wrapper; undone exactly.
// The mark is a global symbol per (module, method), so two copies of a pack in one process never wrap twice. Packs
// patch library methods with it (pg's Client.query, routers' registration methods) where no channel exists.

type Method = (this: unknown, ...args: unknown[]) => unknown;

interface Mark {
  readonly method: string;
  readonly original: Method;
  readonly hadOwn: boolean;
}

/** Patches of one method, keyed by a `Symbol.for` mark; each copy of the pack undoes its own. */
export class PrototypePatch {
  private readonly mark: symbol;
  private readonly method: string;
  private readonly wrap: (original: Method) => Method;
  private readonly patched = new Set<Record<string | symbol, unknown>>();

  constructor(mark: string, method: string, wrap: (original: Method) => Method) {
    this.mark = Symbol.for(mark);
    this.method = method;
    this.wrap = wrap;
  }

  /** Wraps the method on `proto`; false when it has no such method or is already wrapped (by any copy). */
  apply(proto: unknown): boolean {
    if (typeof proto !== 'object' || proto === null) return false;
    const p = proto as Record<string | symbol, unknown>;
    const original = p[this.method];
    if (typeof original !== 'function' || Object.prototype.hasOwnProperty.call(p, this.mark)) return false;
    const mark: Mark = { method: this.method, original: original as Method, hadOwn: Object.prototype.hasOwnProperty.call(p, this.method) };
    Object.defineProperty(p, this.mark, { value: mark, configurable: true });
    p[this.method] = this.wrap(original as Method);
    this.patched.add(p);
    return true;
  }

  undo(proto: unknown): void {
    if (typeof proto !== 'object' || proto === null) return;
    const p = proto as Record<string | symbol, unknown>;
    if (!this.patched.has(p)) return;
    const mark = p[this.mark] as Mark;
    if (mark.hadOwn) p[this.method] = mark.original;
    else delete p[this.method];
    delete p[this.mark];
    this.patched.delete(p);
  }

  undoAll(): void {
    for (const p of [...this.patched]) this.undo(p);
  }
}
