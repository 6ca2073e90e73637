// One command → its append → a projection handling the appended event, in a real app started with
// `node --import @otelkit/node/register`: the commands, event-store and projections packs are discovered from the
// app's package.json, spans leave over OTLP/HTTP (JSON, so this test can read span links), metrics over OTLP/gRPC.
// The projection's CONSUMER span must link to the append span of the command's trace. The same app sends a
// command through a real @nestjs/cqrs CommandBus, which the commands pack patches without any app code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectMetric } from '../support/expect-telemetry.ts';
import { linkModule } from '../support/fixture-app.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const APP = `
import 'reflect-metadata';
import { DeciderCommandHandler, getInMemoryEventStore, inMemorySingleStreamProjection, projections } from '@event-driven-io/emmett';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CommandHandler, CqrsModule } from '@nestjs/cqrs';
import { instrumentEmmettCommandHandler } from '@otelkit/commands';
import { instrumentEmmettEventStore } from '@otelkit/event-store';
import { instrumentEmmettProjection } from '@otelkit/projections';

const balance = inMemorySingleStreamProjection({
  collectionName: 'balances',
  canHandle: ['Deposited'],
  initialState: () => ({ total: 0 }),
  evolve: (doc, e) => ({ total: doc.total + e.data.amount }),
});
const store = instrumentEmmettEventStore(
  getInMemoryEventStore({ projections: projections.inline([instrumentEmmettProjection(balance, { name: 'balance' })]) }),
);
const deposit = instrumentEmmettCommandHandler(
  DeciderCommandHandler({
    initialState: () => ({ total: 0 }),
    evolve: (s, e) => ({ total: s.total + e.data.amount }),
    decide: (c) => ({ type: 'Deposited', data: { amount: c.data.amount } }),
  }),
);
await deposit(store, 'acc-1', { type: 'Deposit', data: { amount: 25 } });

class OpenAccount {}
class OpenAccountHandler {
  execute() {
    return Promise.resolve('opened');
  }
}
CommandHandler(OpenAccount)(OpenAccountHandler);
class AppModule {}
Module({ imports: [CqrsModule.forRoot()], providers: [OpenAccountHandler] })(AppModule);
const nest = await NestFactory.createApplicationContext(AppModule, { logger: false });
console.log('fixture:', await nest.get(CommandBus).execute(new OpenAccount()));
await nest.close();
console.log('fixture: causal done');
`;

interface JsonSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly kind: number;
  readonly links?: readonly { readonly traceId: string; readonly spanId: string }[];
}

// OTLP/HTTP JSON carries ids as hex strings and keeps span links, which the shared receiver does not expose.
async function startJsonTraceReceiver(): Promise<{ url: string; spans: JsonSpan[]; close(): Promise<void> }> {
  const spans: JsonSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: { scopeSpans?: { spans?: JsonSpan[] }[] }[] };
        for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelkit-causal-'));
  const dependencies = {
    '@otelkit/node': '*',
    '@otelkit/commands': '*',
    '@otelkit/event-store': '*',
    '@otelkit/projections': '*',
    '@event-driven-io/emmett': '*',
    '@nestjs/cqrs': '*',
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'causal-fixture', version: '1.0.0', private: true, type: 'module', dependencies }));
  writeFileSync(join(dir, 'app.mjs'), APP);
  const link = (target: string, name: string): void => linkModule(dir, target, name);
  link(join(repo, 'packages', 'node'), '@otelkit/node');
  for (const pack of ['commands', 'event-store', 'projections']) link(join(repo, 'packages', pack), `@otelkit/${pack}`);
  const commandsModules = join(repo, 'packages', 'commands', 'node_modules');
  for (const dep of ['@event-driven-io/emmett', '@nestjs/common', '@nestjs/core', '@nestjs/cqrs', 'reflect-metadata', 'rxjs']) link(join(commandsModules, dep), dep);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('links the projection span to the append of the command that produced its event, in one trace', async () => {
  const metrics = await startOtlpReceiver();
  const traces = await startJsonTraceReceiver();
  try {
    const run = spawnApp('app.mjs', {
      cwd: dir,
      env: {
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: metrics.grpcUrl,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces.url,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      },
    });
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('fixture: causal done');

    const named = (name: string): JsonSpan => {
      const span = traces.spans.find((s) => s.name === name);
      expect(span, `span "${name}" among ${traces.spans.map((s) => s.name).join(', ')}`).toBeDefined();
      return span!;
    };
    const command = named('command Deposit');
    const append = named('eventstore append');
    const projection = named('projection balance');
    expect(append.traceId).toBe(command.traceId);
    expect(append.parentSpanId).toBe(command.spanId);
    expect(projection.kind).toBe(5); // SPAN_KIND_CONSUMER in OTLP
    expect(projection.links?.map((l) => [l.traceId, l.spanId])).toEqual([[command.traceId, append.spanId]]);

    // @nestjs/cqrs was patched through the module hook: no otelkit code in the app touches the CommandBus.
    expect(run.stdout()).toContain('fixture: opened');
    named('command OpenAccount');
    await expectMetric(metrics, { name: 'command.duration', attributes: { 'command.type': 'OpenAccount', 'command.outcome': 'success' }, count: 1, unit: 's' });
    await expectMetric(metrics, { name: 'command.duration', attributes: { 'command.type': 'Deposit', 'command.outcome': 'success' }, count: 1, unit: 's' });
    await expectMetric(metrics, { name: 'eventstore.events', attributes: { 'eventstore.system': 'emmett.inmemory', 'eventstore.operation': 'append' }, value: 1 });
    await expectMetric(metrics, { name: 'projection.events', attributes: { 'projection.name': 'balance', 'projection.outcome': 'processed' }, value: 1 });
  } finally {
    await traces.close();
    await metrics.close();
  }
});
