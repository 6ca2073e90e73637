export { catalog } from './catalog.js';
export type { CommandOutcome } from './catalog.js';
export { classifyCommandError, errorTypeOf } from './classify.js';
export { bindCommands, configureCommands, instrumentCommand, recordRetry, runCommand, withCommand } from './instrument.js';
export type { CommandCallOptions, CommandClassifier, CommandsOptions } from './types.js';
export { instrumentCommandBus } from './adapters/nestjs-cqrs.js';
export type { CommandBusLike } from './adapters/nestjs-cqrs.js';
export { instrumentEmmettCommandHandler } from './adapters/emmett.js';
export type { EmmettCommandType } from './adapters/emmett.js';
