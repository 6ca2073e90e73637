import type { Position } from './types.js';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function isPosition(value: unknown): value is Position {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value));
}

/** Emmett: `metadata.globalPosition`; KurrentDB resolved events: `commitPosition`. */
export function defaultPositionOf(event: unknown): Position | undefined {
  const e = record(event);
  const global = record(e?.metadata)?.globalPosition;
  if (isPosition(global)) return global;
  const commit = e?.commitPosition;
  return isPosition(commit) ? commit : undefined;
}

/** `metadata.timestamp|created|createdAt`, or `created` on the event (KurrentDB `event.created`). */
export function defaultTimestampOf(event: unknown): Date | number | undefined {
  const e = record(event);
  const m = record(e?.metadata);
  for (const v of [m?.timestamp, m?.created, m?.createdAt, e?.created, record(e?.event)?.created]) {
    if (v instanceof Date || (typeof v === 'number' && Number.isFinite(v))) return v;
    if (typeof v === 'string') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
  }
  return undefined;
}

/** `event.metadata`, or `event.event.metadata` for KurrentDB resolved events. */
export function defaultMetadataOf(event: unknown): unknown {
  const e = record(event);
  return e?.metadata ?? record(e?.event)?.metadata;
}
