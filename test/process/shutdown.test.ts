// SIGTERM, SIGINT and beforeExit trigger one bounded flush; afterwards the process ends as it would have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureApp, type FixtureApp } from '../support/fixture-app.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { spawnApp } from '../support/spawn.ts';
import { spansMatching } from '../support/expect-telemetry.ts';

let app: FixtureApp;
beforeAll(() => {
  app = createFixtureApp({ app: 'spans', name: 'shutdown-fixture' });
});
afterAll(() => app.remove());

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  it('flushes every ended span, then ends the process by that signal', async () => {
    const receiver = await startOtlpReceiver();
    const n = 1000;
    try {
      const run = spawnApp('app.mjs', {
        cwd: app.dir,
        env: {
          FIXTURE_SPANS: String(n),
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`,
          OTEL_METRICS_EXPORTER: 'none',
        },
      });
      await run.waitForOutput(new RegExp(`fixture: ended ${n} spans`));
      // Nothing may have been exported yet: the batch processor's 5 s delay has not passed.
      run.kill(signal);
      const exit = await run.exited;
      expect(exit, run.stderr()).toEqual({ code: null, signal });
      const spans = spansMatching(receiver, { name: 'fixture.work' });
      expect(spans).toHaveLength(n);
      expect(new Set(spans.map((s) => s.attributes['fixture.index'])).size).toBe(n);
    } finally {
      await receiver.close();
    }
  });
});

describe('beforeExit', () => {
  it('flushes when the app simply runs out of work', async () => {
    const receiver = await startOtlpReceiver();
    const done = createFixtureApp({
      app: 'spans',
      files: { 'once.mjs': "import { trace } from '@opentelemetry/api';\nfor (let i = 0; i < 7; i++) trace.getTracer('f').startSpan('fixture.once').end();\n" },
    });
    try {
      const run = spawnApp('once.mjs', {
        cwd: done.dir,
        env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`, OTEL_METRICS_EXPORTER: 'none' },
      });
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(spansMatching(receiver, { name: 'fixture.once' })).toHaveLength(7);
    } finally {
      done.remove();
      await receiver.close();
    }
  });
});

describe('an app with its own SIGTERM handler', () => {
  it('keeps control of exiting; otelkit only flushes alongside', async () => {
    const receiver = await startOtlpReceiver();
    const own = createFixtureApp({
      app: 'spans',
      files: {
        'own.mjs': [
          "import { trace } from '@opentelemetry/api';",
          "for (let i = 0; i < 5; i++) trace.getTracer('f').startSpan('fixture.own').end();",
          "process.on('SIGTERM', () => { console.log('fixture: app handler'); setTimeout(() => process.exit(3), 1500); });",
          "console.log('fixture: ready');",
          'setInterval(() => {}, 1000);',
        ].join('\n'),
      },
    });
    try {
      const run = spawnApp('own.mjs', {
        cwd: own.dir,
        env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`, OTEL_METRICS_EXPORTER: 'none' },
      });
      await run.waitForOutput(/fixture: ready/);
      run.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 3, signal: null });
      expect(run.stdout()).toContain('fixture: app handler');
      expect(spansMatching(receiver, { name: 'fixture.own' })).toHaveLength(5);
    } finally {
      own.remove();
      await receiver.close();
    }
  });
});

// An app ending about 1,000 spans a second, with an HTTP server, gets SIGTERM. Whatever the app's own handler
// does, the spans it ended before otelkit's flush started all arrive, and the process ends the way the app asked.
const STEADY = [
  "import { createServer } from 'node:http';",
  "import { trace } from '@opentelemetry/api';",
  "const tracer = trace.getTracer('fixture');",
  'let ended = 0;',
  'const work = setInterval(() => {',
  "  for (let i = 0; i < 10; i++) tracer.startSpan('fixture.steady', { attributes: { 'fixture.index': ended++ } }).end();",
  '  if (ended % 500 === 0) console.log(`fixture: ended ${ended} spans`);',
  '}, 10);',
  "const server = createServer((req, res) => res.end('ok'));",
  "server.listen(0, '127.0.0.1');",
  'const handler = process.env.FIXTURE_HANDLER;',
  "const said = () => console.log(`fixture: SIGTERM after ${ended} spans`);",
  "if (handler === 'exit') process.on('SIGTERM', () => { said(); server.close(); process.exit(0); });",
  "if (handler === 'exitCode') process.on('SIGTERM', () => { said(); clearInterval(work); server.close(); process.exitCode = 3; });",
].join('\n');

describe('SIGTERM while the app ends spans continuously', () => {
  let steady: FixtureApp;
  beforeAll(() => {
    steady = createFixtureApp({ app: 'spans', name: 'steady-fixture', files: { 'steady.mjs': STEADY } });
  });
  afterAll(() => steady.remove());

  it.each([
    ['no handler of the app\'s: ends by the signal', 'none', { code: null, signal: 'SIGTERM' }],
    ['process.on(\'SIGTERM\', () => { server.close(); process.exit(0) }): exits 0', 'exit', { code: 0, signal: null }],
    ['a handler that sets process.exitCode = 3 and returns: exits 3', 'exitCode', { code: 3, signal: null }],
  ] as const)('%s, and every span ended before the flush arrives', async (_, handler, expected) => {
    const receiver = await startOtlpReceiver();
    try {
      const run = spawnApp('steady.mjs', {
        cwd: steady.dir,
        env: { FIXTURE_HANDLER: handler, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpUrl}/v1/traces`, OTEL_METRICS_EXPORTER: 'none' },
      });
      await run.waitForOutput(/fixture: ended 1000 spans/);
      run.kill('SIGTERM');
      expect(await run.exited, run.stderr()).toEqual(expected);
      const endedBeforeSignal = Number(/fixture: SIGTERM after (\d+) spans/.exec(run.stdout())?.[1] ?? 1000);
      const indexes = spansMatching(receiver, { name: 'fixture.steady' }).map((s) => Number(s.attributes['fixture.index']));
      const distinct = new Set(indexes);
      // Spans ended after the tracer provider shut down are not exported; every one before that is, exactly once.
      expect(distinct.size).toBe(indexes.length);
      expect(distinct.size).toBeGreaterThanOrEqual(endedBeforeSignal);
      expect(Math.max(...indexes)).toBe(distinct.size - 1);
      expect(run.otelkitLines().filter((l) => !l.startsWith('otelkit: started'))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
