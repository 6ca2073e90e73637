import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as cqrs from '@nestjs/cqrs';
import { CommandBus, CommandHandler, CommandHandlerNotFoundException, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { createTelemetry, type Telemetry } from '@otelkit/node/testing';
import { bindCommands } from '../instrument.js';
import { createNestCqrsInstrumentation, instrumentCommandBus } from './nestjs-cqrs.js';

class OpenAccount {
  constructor(readonly accountId: string) {}
}
class CloseAccount {}
class Unhandled {}

class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  execute(command: OpenAccount): Promise<string> {
    return Promise.resolve(`opened ${command.accountId}`);
  }
}
class CloseAccountHandler implements ICommandHandler<CloseAccount> {
  execute(): Promise<void> {
    return Promise.reject(new Error('ledger unavailable'));
  }
}
// Decorators applied as plain calls: the test runner's transform does not do legacy decorators.
CommandHandler(OpenAccount)(OpenAccountHandler);
CommandHandler(CloseAccount)(CloseAccountHandler);
class AppModule {}
Module({ imports: [CqrsModule.forRoot()], providers: [OpenAccountHandler, CloseAccountHandler] })(AppModule);

let t: Telemetry;
let unbind: () => void;
beforeEach(() => {
  t = createTelemetry();
  unbind = bindCommands(t.meter, t.tracer, '', { now: () => 0 });
});
afterEach(async () => {
  unbind();
  await t.shutdown();
});

const count = async (attrs: Record<string, string>): Promise<number | undefined> =>
  ((await t.point('command.duration', attrs))?.value as Histogram | undefined)?.count;

describe('@nestjs/cqrs CommandBus', () => {
  it('records commands executed through a real Nest CommandBus, and the missing-handler throw as failure', async () => {
    const undo = instrumentCommandBus(CommandBus);
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const bus = app.get(CommandBus);
      await expect(bus.execute(new OpenAccount('a-1'))).resolves.toBe('opened a-1');
      await expect(bus.execute(new CloseAccount())).rejects.toThrow('ledger unavailable');
      // Nest throws synchronously here; the caller must still see the same synchronous throw.
      let thrown: unknown;
      try {
        void bus.execute(new Unhandled());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CommandHandlerNotFoundException);
    } finally {
      await app.close();
      undo();
    }
    expect(await count({ 'command.type': 'OpenAccount', 'command.outcome': 'success' })).toBe(1);
    expect(await count({ 'command.type': 'CloseAccount', 'command.outcome': 'failure', 'error.type': 'Error' })).toBe(1);
    expect(await count({ 'command.type': 'Unhandled', 'command.outcome': 'failure', 'error.type': 'CommandHandlerNotFoundException' })).toBe(1);
    expect((await t.spans()).map((s) => s.name)).toEqual(['command OpenAccount', 'command CloseAccount', 'command Unhandled']);
  });

  it('patches through the instrumentation module definition and unpatches cleanly', async () => {
    const original = CommandBus.prototype.execute;
    const instrumentation = await createNestCqrsInstrumentation();
    const [definition] = instrumentation.getModuleDefinitions();
    expect(definition?.name).toBe('@nestjs/cqrs');
    definition?.patch?.(cqrs);
    expect(CommandBus.prototype.execute).not.toBe(original);
    definition?.patch?.(cqrs);
    definition?.unpatch?.(cqrs);
    expect(CommandBus.prototype.execute).toBe(original);
  });
});
