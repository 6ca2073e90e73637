// The HTTP API. Commands are POSTs; queries read the projections. Errors map to statuses by kind:
// validation 400, domain refusal 403/422, unknown account 404, concurrent modification 409, dependency down 503.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmmettError, isExpectedVersionConflictError } from '@event-driven-io/emmett';
import FindMyWay, { type HTTPVersion } from 'find-my-way';
import type { AccountCache } from './account-cache.ts';
import type { Bank } from './bank.ts';
import type { ExternalSettings } from './external.ts';
import type { Projector, ReadModels } from './projections.ts';

export interface ApiDeps {
  bank: Bank;
  readModels: ReadModels;
  /** Read cache for account queries (Redis when REDIS_URL is set). */
  accounts: AccountCache;
  projector: Projector;
  external: ExternalSettings;
  status: () => Record<string, unknown>;
}

type Handler = (req: IncomingMessage, params: Record<string, string | undefined>) => Promise<[number, unknown]>;

export function createApi(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const router = FindMyWay<HTTPVersion.V1>({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => send(res, 404, { error: 'no such route' }),
  });
  const route = (method: 'GET' | 'POST', path: string, handler: Handler): void => {
    router.on(method, path, (req, res, params) => {
      handler(req, params).then(
        ([status, body]) => send(res, status, body),
        (error: unknown) => {
          const [status, body] = errorResponse(error);
          send(res, status, body);
        },
      );
    });
  };
  const { bank, readModels } = deps;

  route('POST', '/accounts', async (req) => [201, await bank.openAccount(await readJson(req))]);
  route('POST', '/accounts/:id/deposits', async (req, p) => [200, await bank.deposit(p.id ?? '', await readJson(req))]);
  route('POST', '/accounts/:id/withdrawals', async (req, p) => [200, await bank.withdraw(p.id ?? '', await readJson(req))]);
  route('POST', '/transfers', async (req) => [200, await bank.transfer(await readJson(req))]);

  route('GET', '/accounts/:id', async (_req, p) => {
    const id = p.id ?? '';
    const row = await deps.accounts.read(id, () => readModels.balances.get(id));
    return row === undefined ? [404, { error: `no account ${id} (yet)` }] : [200, row];
  });
  route('GET', '/accounts/:id/statement', (_req, p) => {
    const lines = readModels.statements.get(p.id ?? '');
    return Promise.resolve(lines === undefined ? [404, { error: `no account ${p.id ?? ''} (yet)` }] : [200, { accountId: p.id, lines }]);
  });

  route('GET', '/health', () => Promise.resolve([200, { status: 'ok' }]));
  route('GET', '/admin/status', () => Promise.resolve([200, deps.status()]));
  // Lets a person (or the e2e) take the fraud service down so the opossum breaker opens, and bring it back.
  route('POST', '/admin/fraud-check', async (req) => {
    const body = await readJson(req);
    if (typeof body.down === 'boolean') deps.external.fraudDown = body.down;
    if (typeof body.failureShare === 'number' && body.failureShare >= 0 && body.failureShare <= 1) {
      deps.external.fraudFailureShare = body.failureShare;
    }
    return [200, { down: deps.external.fraudDown, failureShare: deps.external.fraudFailureShare }];
  });
  // Waits until every committed event has reached the read models (handy for tests and scripts).
  route('POST', '/admin/projections/settle', async () => {
    await deps.projector.idle();
    return [200, { projections: deps.projector.status() }];
  });

  return (req, res) => router.lookup(req, res);
}

export function errorResponse(error: unknown): [number, { error: string; kind: string }] {
  if (isExpectedVersionConflictError(error)) return [409, { error: error.message, kind: 'conflict' }];
  if (error instanceof BadRequestError) return [400, { error: error.message, kind: 'validation' }];
  if (error instanceof EmmettError) {
    const code = error.errorCode;
    const kind = code === 400 ? 'validation' : code === 404 ? 'not_found' : code === 409 ? 'conflict' : code === 503 ? 'unavailable' : code >= 500 ? 'failure' : 'refused';
    // Emmett uses 403 for IllegalStateError; "insufficient funds" reads better as 422 to API clients.
    return [code === 403 && error.name === 'InsufficientFundsError' ? 422 : code, { error: error.message, kind }];
  }
  console.error('bank: unexpected error', error);
  return [500, { error: 'internal error', kind: 'failure' }];
}

class BadRequestError extends Error {}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError('body must be a JSON object');
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
