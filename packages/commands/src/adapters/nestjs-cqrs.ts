import type { InstrumentationBase } from '@otelkit/node/instrumentation';
import { runCommand } from '../instrument.js';

const PATCHED: unique symbol = Symbol.for('otelkit.commands.nestjs-cqrs.original');

/** The part of `@nestjs/cqrs`'s `CommandBus` class the adapter patches. */
export interface CommandBusLike {
  prototype: { execute(command: unknown, context?: unknown): Promise<unknown> };
}

function commandTypeOf(command: unknown): string {
  if (typeof command === 'object' && command !== null) {
    const name = (command as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return name;
  }
  return 'unknown';
}

/**
 * Patches `CommandBus.prototype.execute` so every command sent through any Nest `CommandBus` is recorded, named by
 * the command's class. Nest throws synchronously when no handler is registered: that call counts as `failure` and
 * the same error is rethrown synchronously. Returns the undo function. Idempotent.
 */
export function instrumentCommandBus(CommandBus: CommandBusLike): () => void {
  const proto = CommandBus.prototype as CommandBusLike['prototype'] & { [PATCHED]?: CommandBusLike['prototype']['execute'] };
  if (proto[PATCHED] !== undefined) return () => undefined;
  const original = proto.execute;
  proto[PATCHED] = original;
  proto.execute = function execute(this: unknown, command: unknown): Promise<unknown> {
    // `arguments` keeps the optional context argument exactly as the caller passed it.
    // eslint-disable-next-line prefer-rest-params
    return runCommand(commandTypeOf(command), original, this, arguments);
  };
  return () => {
    if (proto[PATCHED] !== original) return;
    proto.execute = original;
    delete proto[PATCHED];
  };
}

/**
 * Builds the `@nestjs/cqrs` instrumentation: patched through the module hooks core registers, when the app loads
 * the package. Loaded lazily so importing the pack stays cheap.
 */
export async function createNestCqrsInstrumentation(): Promise<InstrumentationBase> {
  const { InstrumentationBase: Base, InstrumentationNodeModuleDefinition } = await import('@otelkit/node/instrumentation');
  let undo: (() => void) | undefined;
  const patch = (exports: { CommandBus?: CommandBusLike }): unknown => {
    if (exports.CommandBus !== undefined && undo === undefined) undo = instrumentCommandBus(exports.CommandBus);
    return exports;
  };
  const unpatch = (): void => {
    undo?.();
    undo = undefined;
  };
  class NestCqrsInstrumentation extends Base {
    constructor() {
      super('@otelkit/commands/nestjs-cqrs', '0.1.0', { enabled: false });
    }
    protected override init(): InstanceType<typeof InstrumentationNodeModuleDefinition> {
      return new InstrumentationNodeModuleDefinition('@nestjs/cqrs', ['>=10 <13'], patch, unpatch);
    }
  }
  return new NestCqrsInstrumentation();
}
