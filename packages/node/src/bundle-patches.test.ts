// The hot-path patches core's bundle applies to SDK modules (scripts/patches.mjs) must match the installed modules and
// change nothing but speed. The trace serializer is bundled twice, with and without the patch, and both serialise
// the same spans, in batches that grow and shrink (the patched writer sizes its buffer from the previous request),
// to identical bytes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

interface Patch {
  readonly name: string;
  readonly file: RegExp;
  readonly source: RegExp;
}
const patchesModule = join(import.meta.dirname, '..', 'scripts', 'patches.mjs');
const { PATCHES, hotPathPatches } = (await import(pathToFileURL(patchesModule).href)) as { PATCHES: readonly Patch[]; hotPathPatches: Plugin };

const require = createRequire(import.meta.url);
const fromExporter = createRequire(require.resolve('@opentelemetry/exporter-trace-otlp-proto'));
const transformerDist = dirname(fromExporter.resolve('@opentelemetry/otlp-transformer'));
const metricsDist = dirname(require.resolve('@opentelemetry/sdk-metrics'));

const dir = mkdtempSync(join(tmpdir(), 'otelkit-patches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hot-path patches', () => {
  it('each matches the installed module it patches, in its ESM and CommonJS builds', () => {
    const files: Record<string, string[]> = {
      'sdk-metrics hashAttributes (frozen sets keyed once)': ['utils.mjs', 'utils.cjs'].map((f) => join(metricsDist, f)),
      'otlp-transformer serializeTraceExportRequest (one pass)': ['trace-serializer.mjs', 'trace-serializer.cjs'].map((f) => join(transformerDist, 'trace', 'protobuf', f)),
    };
    expect(PATCHES.map((p) => p.name).sort()).toEqual(Object.keys(files).sort());
    for (const patch of PATCHES) {
      for (const file of files[patch.name] ?? []) {
        expect(patch.file.test(file), `${patch.name} selects ${file}`).toBe(true);
        expect(patch.source.test(readFileSync(file, 'utf8')), `${patch.name} matches ${file}`).toBe(true);
      }
    }
  });

  it('the one-pass trace serializer writes the same bytes as the upstream one', async () => {
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, `export { ProtobufTraceSerializer } from ${JSON.stringify(pathToFileURL(join(transformerDist, 'index.mjs')).pathname)};\n`);
    const bundle = async (name: string, plugins: Plugin[]): Promise<{ serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined }> => {
      const outfile = join(dir, `${name}.mjs`);
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, plugins, logLevel: 'silent' });
      return ((await import(pathToFileURL(outfile).href)) as { ProtobufTraceSerializer: { serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined } }).ProtobufTraceSerializer;
    };
    const upstream = await bundle('upstream', []);
    const patched = await bundle('patched', [hotPathPatches]);

    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'patch-test', 'host.name': 'h\u00e9te' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracers = [provider.getTracer('a', '1.0.0'), provider.getTracer('b')];
    const batches: ReadableSpan[][] = [];
    let n = 0;
    // 1, 700, 3, 2000 spans: the second and the fourth outgrow the buffer sized from the request before.
    for (const size of [1, 700, 3, 2000]) {
      exporter.reset();
      for (let i = 0; i < size; i++, n++) {
        const tracer = tracers[n % 2] ?? trace.getTracer('x');
        const parent = tracer.startSpan(`parent ${n}`, { kind: SpanKind.SERVER, attributes: { 'http.route': '/accounts/:id', n, big: 2 ** 53 - n, ratio: n / 7, ok: n % 2 === 0, list: ['a', `\u00fc${n}`] } });
        const child = tracer.startSpan(`child \u2713 ${'x'.repeat(n % 300)}`, { links: [{ context: parent.spanContext(), attributes: { why: 'caused' } }] }, trace.setSpan(context.active(), parent));
        child.addEvent('event', { detail: `d${n}` });
        if (n % 3 === 0) child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom \u{1F4A5}' });
        child.end();
        parent.end();
      }
      batches.push([...exporter.getFinishedSpans()]);
    }
    expect(batches.map((b) => b.length)).toEqual([2, 1400, 6, 4000]);
    for (const spans of batches) {
      const expected = upstream.serializeRequest(spans);
      const actual = patched.serializeRequest(spans);
      expect(expected?.length).toBeGreaterThan(spans.length * 50);
      expect(actual?.length).toBe(expected?.length);
      expect(Buffer.from(actual ?? []).equals(Buffer.from(expected ?? []))).toBe(true);
    }
  });
});
