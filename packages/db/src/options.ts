import type { Logger } from '@otelkit/node/kit';

/** Options of the db pack: `start({ packOptions: { db: { ... } } })` or the config file. */
export interface DbPackOptions {
  /** Record `pg` queries and `pg-pool` pools. @default true */
  readonly postgresql?: boolean;
  /** Record ioredis and node-redis commands (from their tracing channels). @default true */
  readonly redis?: boolean;
  /** Put the query text (`db.query.text`) on spans; metrics never carry it. @default true */
  readonly queryText?: boolean;
}

export type ResolvedDbPackOptions = Required<DbPackOptions>;

const FLAGS = ['postgresql', 'redis', 'queryText'] as const;

/** Validates untyped pack options; a bad value logs one line naming it and falls back to the default. */
export function resolveDbOptions(raw: Readonly<Record<string, unknown>>, logger: Logger): ResolvedDbPackOptions {
  const flag = (key: (typeof FLAGS)[number]): boolean => {
    const v = raw[key];
    if (v === undefined) return true;
    if (typeof v === 'boolean') return v;
    logger.warn(`otelkit: db pack option ${key} must be true or false, got ${JSON.stringify(v)}; using true`);
    return true;
  };
  for (const key of Object.keys(raw)) {
    if (!(FLAGS as readonly string[]).includes(key)) logger.warn(`otelkit: db pack option ${key} is unknown (known: ${FLAGS.join(', ')}); ignored`);
  }
  return { postgresql: flag('postgresql'), redis: flag('redis'), queryText: flag('queryText') };
}
