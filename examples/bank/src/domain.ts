// The bank account aggregate as an Emmett decider: commands in, events out, state folded from events.
// Amounts are integer cents so no float ever touches money.
import { IllegalStateError, NotFoundError, ValidationError, type Event } from '@event-driven-io/emmett';

export type AccountOpened = Event<'AccountOpened', { accountId: string; owner: string; openedAt: string }>;
export type MoneyDeposited = Event<'MoneyDeposited', { accountId: string; amount: number; at: string }>;
export type MoneyWithdrawn = Event<'MoneyWithdrawn', { accountId: string; amount: number; at: string }>;
export type TransferSent = Event<'TransferSent', { accountId: string; transferId: string; to: string; amount: number; at: string }>;
export type TransferReceived = Event<'TransferReceived', { accountId: string; transferId: string; from: string; amount: number; at: string }>;

export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn | TransferSent | TransferReceived;
export const ACCOUNT_EVENT_TYPES: readonly AccountEvent['type'][] = [
  'AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn', 'TransferSent', 'TransferReceived',
];

export type Account =
  | { status: 'unknown' }
  | { status: 'open'; accountId: string; owner: string; balance: number };

export const initialState = (): Account => ({ status: 'unknown' });

export function evolve(state: Account, event: AccountEvent): Account {
  switch (event.type) {
    case 'AccountOpened':
      return { status: 'open', accountId: event.data.accountId, owner: event.data.owner, balance: 0 };
    case 'MoneyDeposited':
    case 'TransferReceived':
      return state.status === 'open' ? { ...state, balance: state.balance + event.data.amount } : state;
    case 'MoneyWithdrawn':
    case 'TransferSent':
      return state.status === 'open' ? { ...state, balance: state.balance - event.data.amount } : state;
  }
}

export const streamName = (accountId: string): string => `account-${accountId}`;

/** Thrown when a debit would take the balance below zero: a domain rejection, not a fault. */
export class InsufficientFundsError extends IllegalStateError {
  constructor(accountId: string, balance: number, amount: number) {
    super(`account ${accountId} has ${balance} cents, cannot debit ${amount}`);
    this.name = 'InsufficientFundsError';
  }
}

export function assertAmount(amount: unknown): asserts amount is number {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new ValidationError('amount must be a positive integer number of cents');
  }
}

function openAccount(state: Account, accountId: string): Extract<Account, { status: 'open' }> {
  if (state.status !== 'open') throw new NotFoundError({ id: accountId, type: 'Account' });
  return state;
}

export function open(state: Account, accountId: string, owner: unknown, now: Date): AccountOpened {
  if (typeof owner !== 'string' || owner.trim() === '') throw new ValidationError('owner must be a non-empty string');
  if (state.status === 'open') throw new IllegalStateError(`account ${accountId} already exists`);
  return { type: 'AccountOpened', data: { accountId, owner, openedAt: now.toISOString() } };
}

export function deposit(state: Account, accountId: string, amount: unknown, now: Date): MoneyDeposited {
  assertAmount(amount);
  openAccount(state, accountId);
  return { type: 'MoneyDeposited', data: { accountId, amount, at: now.toISOString() } };
}

export function withdraw(state: Account, accountId: string, amount: unknown, now: Date): MoneyWithdrawn {
  assertAmount(amount);
  const account = openAccount(state, accountId);
  if (account.balance < amount) throw new InsufficientFundsError(accountId, account.balance, amount);
  return { type: 'MoneyWithdrawn', data: { accountId, amount, at: now.toISOString() } };
}

export function sendTransfer(state: Account, accountId: string, transferId: string, to: string, amount: number, now: Date): TransferSent {
  const account = openAccount(state, accountId);
  if (account.balance < amount) throw new InsufficientFundsError(accountId, account.balance, amount);
  return { type: 'TransferSent', data: { accountId, transferId, to, amount, at: now.toISOString() } };
}

export function receiveTransfer(state: Account, accountId: string, transferId: string, from: string, amount: number, now: Date): TransferReceived {
  openAccount(state, accountId);
  return { type: 'TransferReceived', data: { accountId, transferId, from, amount, at: now.toISOString() } };
}
