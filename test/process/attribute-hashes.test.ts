// The bundled metrics SDK keys each measurement's aggregation by its attribute set; for frozen sets of primitive
// values (what otelkit's recorders and packs pass) the key is computed once (scripts/bundle.mjs). Whatever the
// object, the series must be exactly those the attribute values say: a frozen and an unfrozen object with the same
// values are one series, and a frozen object holding an array that changes is not pinned to its first value.
import { expect, it } from 'vitest';
import { createFixtureApp } from '../support/fixture-app.ts';
import { spawnApp } from '../support/spawn.ts';

const APP = `
import { metrics } from '@opentelemetry/api';
const counter = metrics.getMeter('fixture').createCounter('hashed');
const frozen = Object.freeze({ 'fixture.kind': 'same' });
for (let i = 0; i < 3; i++) counter.add(1, frozen);
for (let i = 0; i < 2; i++) counter.add(1, { 'fixture.kind': 'same' });
counter.add(10, Object.freeze({ 'fixture.kind': 'same' }));
const list = ['first'];
const holder = Object.freeze({ 'fixture.kind': 'list', 'fixture.list': list });
counter.add(1, holder);
list[0] = 'second';
counter.add(100, holder);
console.log('fixture: recorded');
setInterval(() => {}, 1000);
`;

it('gives frozen and unfrozen attribute sets with equal values one series, and never pins a set whose array value changes', async () => {
  const app = createFixtureApp({ app: 'http', name: 'hash-fixture', files: { 'hash.mjs': APP } });
  try {
    const run = spawnApp('hash.mjs', {
      cwd: app.dir,
      env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '0' },
    });
    const [, url] = await run.waitForOutput(/prometheus\((http:\/\/127\.0\.0\.1:\d+\/metrics)\)/);
    await run.waitForOutput(/fixture: recorded/);
    const body = await (await fetch(url!)).text();
    run.kill('SIGTERM');
    await run.exited;
    const series = body.split('\n').filter((l) => l.startsWith('hashed_total{'));
    expect(series.filter((l) => l.includes('fixture_kind="same"'))).toEqual([expect.stringMatching(/ 15$/)]);
    // Two aggregations, 1 and 100: the set was keyed by its value at each measurement, not by its first value
    // (the SDK keeps the object itself for the labels, so both now show the array's current value).
    const list = series.filter((l) => l.includes('fixture_kind="list"')).map((l) => Number(l.split(' ').at(-1)));
    expect(list.sort((a, b) => a - b)).toEqual([1, 100]);
  } finally {
    app.remove();
  }
});
