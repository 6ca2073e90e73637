// Application service: one method per command. Each runs inside `withCommand`, loads the account stream through an
// Emmett CommandHandler, decides, and appends. Domain errors propagate as Emmett errors and become HTTP statuses.
import { randomUUID } from 'node:crypto';
import { CommandHandler, EmmettError, NoRetries, NotFoundError, ValidationError, isExpectedVersionConflictError, type EventStore } from '@event-driven-io/emmett';
import * as account from './domain.ts';
import type { FraudCheck, Notifier } from './external.ts';
import { recordRetry, withCommand } from './telemetry.ts';

const handle = CommandHandler<account.Account, account.AccountEvent>({
  evolve: account.evolve,
  initialState: account.initialState,
  mapToStreamId: account.streamName,
  // Without an explicit expected version, two commands racing on one account retry instead of failing.
  retry: { onVersionConflict: 5 },
});

/** How often a transfer is re-run after a concurrent change to its source account before it reports a conflict. */
const TRANSFER_ATTEMPTS = 4;

/** A fraud check that could not run rejects transfers above this many cents (fail-open below it). */
export const UNCHECKED_TRANSFER_LIMIT = 50_000;

export class FraudCheckUnavailableError extends EmmettError {
  constructor(amount: number) {
    super({ errorCode: 503, message: `fraud check unavailable; transfers above ${UNCHECKED_TRANSFER_LIMIT} cents are refused (asked ${amount})` });
    this.name = 'FraudCheckUnavailableError';
  }
}

export class TransferDeclinedError extends EmmettError {
  constructor() {
    super({ errorCode: 403, message: 'transfer declined by the fraud check' });
    this.name = 'TransferDeclinedError';
  }
}

export interface CommandResult {
  accountId: string;
  /** Stream version after the command; pass it back as `expectedVersion` for optimistic concurrency. */
  version: number;
  balance: number;
}

export class Bank {
  readonly store: EventStore;
  readonly #fraud: FraudCheck;
  readonly #notifier: Notifier;
  readonly #now: () => Date;

  constructor(store: EventStore, fraud: FraudCheck, notifier: Notifier, now: () => Date = () => new Date()) {
    this.store = store;
    this.#fraud = fraud;
    this.#notifier = notifier;
    this.#now = now;
  }

  openAccount(input: { owner?: unknown; accountId?: unknown }): Promise<CommandResult> {
    return withCommand('OpenAccount', async () => {
      const accountId = typeof input.accountId === 'string' && input.accountId !== '' ? input.accountId : randomUUID();
      const result = await handle(this.store, accountId, (state) => account.open(state, accountId, input.owner, this.#now()), {
        expectedStreamVersion: 'STREAM_DOES_NOT_EXIST',
      });
      this.#notifier.notify({ accountId, text: 'account opened' });
      return toResult(accountId, result);
    });
  }

  deposit(accountId: string, input: { amount?: unknown; expectedVersion?: unknown }): Promise<CommandResult> {
    return withCommand('Deposit', async () => {
      const result = await handle(this.store, accountId, (state) => account.deposit(state, accountId, input.amount, this.#now()), versionOption(input.expectedVersion));
      this.#notifier.notify({ accountId, text: `deposit of ${String(input.amount)}` });
      return toResult(accountId, result);
    });
  }

  withdraw(accountId: string, input: { amount?: unknown; expectedVersion?: unknown }): Promise<CommandResult> {
    return withCommand('Withdraw', async () => {
      const result = await handle(this.store, accountId, (state) => account.withdraw(state, accountId, input.amount, this.#now()), versionOption(input.expectedVersion));
      this.#notifier.notify({ accountId, text: `withdrawal of ${String(input.amount)}` });
      return toResult(accountId, result);
    });
  }

  transfer(input: { from?: unknown; to?: unknown; amount?: unknown }): Promise<CommandResult & { transferId: string; fraudCheck: string }> {
    return withCommand('Transfer', async () => {
      const { from, to, amount } = input;
      if (typeof from !== 'string' || typeof to !== 'string' || from === to) {
        throw new ValidationError('from and to must be two different account ids');
      }
      account.assertAmount(amount);
      const target = await this.store.aggregateStream(account.streamName(to), { evolve: account.evolve, initialState: account.initialState });
      if (target.state.status !== 'open') throw new NotFoundError({ id: to, type: 'Account' });
      const transferId = randomUUID();
      // Funds are checked on the state read before the (slow) fraud check, and the debit is appended at that
      // version: if anything touched the source account in between, the transfer starts again from a fresh read.
      for (let attempt = 1; ; attempt++) {
        const source = await this.store.aggregateStream(account.streamName(from), { evolve: account.evolve, initialState: account.initialState });
        const debit = account.sendTransfer(source.state, from, transferId, to, amount, this.#now());
        const verdict = await this.#fraud.check(amount);
        if (verdict === 'declined') throw new TransferDeclinedError();
        if (verdict === 'unchecked' && amount > UNCHECKED_TRANSFER_LIMIT) throw new FraudCheckUnavailableError(amount);
        try {
          const sent = await handle(this.store, from, () => debit, { expectedStreamVersion: source.currentStreamVersion, retry: NoRetries });
          // The target was checked above and accounts are never closed, so this cannot be refused on domain grounds.
          await handle(this.store, to, (state) => account.receiveTransfer(state, to, transferId, from, amount, this.#now()));
          this.#notifier.notify({ accountId: from, text: `transfer ${transferId} of ${amount} to ${to}` });
          return { ...toResult(from, sent), transferId, fraudCheck: verdict };
        } catch (error) {
          if (!isExpectedVersionConflictError(error) || attempt >= TRANSFER_ATTEMPTS) throw error;
          recordRetry('Transfer', 'conflict');
        }
      }
    });
  }
}

function versionOption(expected: unknown): { expectedStreamVersion: bigint; retry: typeof NoRetries } | undefined {
  if (expected === undefined || expected === null) return undefined;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new ValidationError('expectedVersion must be a non-negative integer');
  }
  // A client that names the version it saw wants a conflict reported, not retried away.
  return { expectedStreamVersion: BigInt(expected), retry: NoRetries };
}

function toResult(accountId: string, result: { nextExpectedStreamVersion: bigint; newState: account.Account }): CommandResult {
  return {
    accountId,
    version: Number(result.nextExpectedStreamVersion),
    balance: result.newState.status === 'open' ? result.newState.balance : 0,
  };
}
