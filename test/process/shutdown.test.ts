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
