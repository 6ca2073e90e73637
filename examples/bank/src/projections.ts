// Read models, fed asynchronously: the store hands committed events to the projector, which queues them and lets
// each projection catch up on its own, so projections lag behind commands the way they do in a real system.
import type { ReadEvent } from '@event-driven-io/emmett';
import type { AccountEvent } from './domain.ts';

export type BankEvent = ReadEvent<AccountEvent>;
export type ProjectionHandler = (event: BankEvent) => void | Promise<void>;

export interface Projection {
  readonly name: string;
  readonly handle: ProjectionHandler;
}

/** Global position of an event (both Emmett stores set it); falls back to 0 for stores without one. */
export function positionOf(event: BankEvent): bigint {
  const meta = event.metadata as { globalPosition?: bigint };
  return meta.globalPosition ?? 0n;
}

export interface Balance {
  accountId: string;
  owner: string;
  balance: number;
  /** Stream position of the last event folded in; clients can compare it with a command's version. */
  version: number;
}

export interface StatementLine {
  at: string;
  kind: 'opened' | 'deposit' | 'withdrawal' | 'transfer_in' | 'transfer_out';
  amount: number;
  balanceAfter: number;
  counterparty?: string;
  transferId?: string;
}

export class ReadModels {
  readonly balances: Map<string, Balance> = new Map();
  readonly statements: Map<string, StatementLine[]> = new Map();

  balanceProjection: Projection = {
    name: 'balance',
    handle: (event) => {
      const { data } = event;
      const version = Number(event.metadata.streamPosition);
      if (event.type === 'AccountOpened') {
        this.balances.set(data.accountId, { accountId: data.accountId, owner: event.data.owner, balance: 0, version });
        return;
      }
      const row = this.balances.get(data.accountId);
      if (row === undefined) throw new Error(`balance projection: ${event.type} for unknown account ${data.accountId}`);
      row.balance += signedAmount(event);
      row.version = version;
    },
  };

  statementProjection: Projection = {
    name: 'statement',
    handle: (event) => {
      const lines = this.statements.get(event.data.accountId) ?? [];
      const before = lines.at(-1)?.balanceAfter ?? 0;
      const line: StatementLine = { at: atOf(event), kind: kindOf(event), amount: Math.abs(signedAmount(event)), balanceAfter: before + signedAmount(event) };
      if (event.type === 'TransferSent') Object.assign(line, { counterparty: event.data.to, transferId: event.data.transferId });
      if (event.type === 'TransferReceived') Object.assign(line, { counterparty: event.data.from, transferId: event.data.transferId });
      lines.push(line);
      this.statements.set(event.data.accountId, lines);
    },
  };
}

function signedAmount(event: BankEvent): number {
  switch (event.type) {
    case 'AccountOpened':
      return 0;
    case 'MoneyDeposited':
    case 'TransferReceived':
      return event.data.amount;
    case 'MoneyWithdrawn':
    case 'TransferSent':
      return -event.data.amount;
  }
}

function kindOf(event: BankEvent): StatementLine['kind'] {
  switch (event.type) {
    case 'AccountOpened':
      return 'opened';
    case 'MoneyDeposited':
      return 'deposit';
    case 'MoneyWithdrawn':
      return 'withdrawal';
    case 'TransferSent':
      return 'transfer_out';
    case 'TransferReceived':
      return 'transfer_in';
  }
}

function atOf(event: BankEvent): string {
  return event.type === 'AccountOpened' ? event.data.openedAt : event.data.at;
}

/**
 * Runs projections off a queue of committed events. One queue per projection, drained in order; a failing event
 * is logged and skipped so one bad event cannot stall the read model forever.
 */
interface Lane {
  projection: Projection;
  queue: BankEvent[];
  draining: boolean;
  position: bigint;
  failed: number;
}

export class Projector {
  readonly #lanes: Lane[];
  #head = 0n;
  #idle: (() => void)[] = [];

  readonly #onCheckpoint: (name: string, position: bigint) => void;

  /** `onCheckpoint` is told each projection's position after every drained batch. */
  constructor(projections: readonly Projection[], onCheckpoint: (name: string, position: bigint) => void = () => {}) {
    this.#lanes = projections.map((projection) => ({ projection, queue: [], draining: false, position: 0n, failed: 0 }));
    this.#onCheckpoint = onCheckpoint;
  }

  /** Highest global position handed to the projector so far. */
  get head(): bigint {
    return this.#head;
  }

  publish(events: readonly BankEvent[]): void {
    for (const event of events) {
      const position = positionOf(event);
      if (position > this.#head) this.#head = position;
    }
    for (const lane of this.#lanes) {
      lane.queue.push(...events);
      if (!lane.draining) void this.#drain(lane);
    }
  }

  status(): { name: string; position: string; pending: number; failed: number }[] {
    return this.#lanes.map((l) => ({ name: l.projection.name, position: l.position.toString(), pending: l.queue.length, failed: l.failed }));
  }

  /** Resolves once every queued event has been handled (used by tests and on shutdown). */
  idle(): Promise<void> {
    if (this.#lanes.every((l) => !l.draining && l.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(lane: Lane): Promise<void> {
    lane.draining = true;
    // Yield once so handling is really asynchronous to the command that appended the events.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let event: BankEvent | undefined;
    while ((event = lane.queue.shift()) !== undefined) {
      try {
        await lane.projection.handle(event);
      } catch (error) {
        lane.failed++;
        console.error(`bank: projection ${lane.projection.name} failed on ${event.type} at ${positionOf(event)}: ${String(error)}`);
      }
      lane.position = positionOf(event);
    }
    lane.draining = false;
    this.#onCheckpoint(lane.projection.name, lane.position);
    if (this.#lanes.every((l) => !l.draining && l.queue.length === 0)) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}
