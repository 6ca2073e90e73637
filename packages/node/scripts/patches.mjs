// Two hot-path patches applied to the bundled copies of OpenTelemetry SDK modules. Each replaces one function whose
// text it matches exactly, and fails the build when the text changes in a new SDK version, so a patch is never
// silently dropped or applied to code it was not written for. Tested in patches.test.ts against the unpatched
// modules: same results, byte for byte.
//
// 1. sdk-metrics `hashAttributes`: the SDK turns the attribute set of every measurement into a string key (sorted
//    keys, JSON.stringify) to find its aggregation, the largest single cost of recording a metric in the bank
//    benchmark's profile (2.6 % of the process' CPU under load, 0.3 % patched). otelkit's recorders and packs pass
//    frozen attribute sets built once per combination, so the key of a frozen set whose values are all primitives
//    is computed once and kept in a WeakMap; any other attribute object is hashed as before.
// 2. otlp-transformer `serializeTraceExportRequest`: it walks every span twice, once with a size estimator only to
//    size the output buffer, then again to write it. The writer grows its buffer when needed, so the patched
//    version sizes the buffer from the previous request (+25 %) and walks the spans once; the bytes are the same.
import { readFile } from 'node:fs/promises';

const HASH_SOURCE = /function hashAttributes\(attributes\) \{\n\tlet keys = Object\.keys\(attributes\);\n\tif \(keys\.length === 0\) return "";\n\tkeys = keys\.sort\(\);\n\treturn JSON\.stringify\(keys\.map\(\(key\) => \[key, attributes\[key\]\]\)\);\n\}/;
const HASH_MEMO = `function hashAttributesUncached(attributes) {
\tlet keys = Object.keys(attributes);
\tif (keys.length === 0) return "";
\tkeys = keys.sort();
\treturn JSON.stringify(keys.map((key) => [key, attributes[key]]));
}
const frozenAttributeHashes = new WeakMap();
function hashAttributes(attributes) {
\tif (!Object.isFrozen(attributes)) return hashAttributesUncached(attributes);
\tlet hash = frozenAttributeHashes.get(attributes);
\tif (hash !== undefined) return hash;
\thash = hashAttributesUncached(attributes);
\tfor (const key in attributes) if (typeof attributes[key] === "object" && attributes[key] !== null) return hash;
\tfrozenAttributeHashes.set(attributes, hash);
\treturn hash;
}`;

// `(new )(require_x.)?ProtobufSizeEstimator` covers the ESM and the CommonJS build of the module.
const TRACE_SOURCE =
  /function serializeTraceExportRequest\(spans\) \{\n\tconst resourceMap = createResourceMap\(spans\);\n\tconst estimator = new ((?:require_protobuf_size_estimator\.)?)ProtobufSizeEstimator\(\);\n\tfor \(const \[resource, scopeMap\] of resourceMap\) \{\n\t\testimator\.writeTag\(1, 2\);\n\t\tserializeResourceSpans\(estimator, resource, scopeMap\);\n\t\}\n\tconst writer = new ((?:require_protobuf_writer\.)?)ProtobufWriter\(estimator\.pos\);\n\tfor \(const \[resource, scopeMap\] of resourceMap\) \{\n\t\twriter\.writeTag\(1, 2\);\n\t\tserializeResourceSpans\(writer, resource, scopeMap\);\n\t\}\n\treturn writer\.finish\(\);\n\}/;
const TRACE_ONE_PASS = (_match, _estimatorNs, writerNs) => `let lastTraceRequestBytes = 65536;
function serializeTraceExportRequest(spans) {
\tconst resourceMap = createResourceMap(spans);
\tconst writer = new ${writerNs}ProtobufWriter(lastTraceRequestBytes + (lastTraceRequestBytes >>> 2));
\tfor (const [resource, scopeMap] of resourceMap) {
\t\twriter.writeTag(1, 2);
\t\tserializeResourceSpans(writer, resource, scopeMap);
\t}
\tconst bytes = writer.finish();
\tlastTraceRequestBytes = Math.max(1024, bytes.length);
\treturn bytes;
}`;

export const PATCHES = [
  { name: 'sdk-metrics hashAttributes (frozen sets keyed once)', file: /[\\/]@opentelemetry[\\/]sdk-metrics[\\/]dist[\\/]utils\.(?:mjs|cjs)$/, source: HASH_SOURCE, replace: () => HASH_MEMO },
  { name: 'otlp-transformer serializeTraceExportRequest (one pass)', file: /[\\/]@opentelemetry[\\/]otlp-transformer[\\/]dist[\\/]trace[\\/]protobuf[\\/]trace-serializer\.(?:mjs|cjs)$/, source: TRACE_SOURCE, replace: TRACE_ONE_PASS },
];

/** The esbuild plugin applying PATCHES; throws (failing the build) when a patched function has changed shape. */
export const hotPathPatches = {
  name: 'otelkit-hot-path-patches',
  setup(b) {
    for (const patch of PATCHES) {
      b.onLoad({ filter: patch.file }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!patch.source.test(source)) throw new Error(`otelkit bundle: ${patch.name}: ${args.path} no longer has the function this patch replaces; review packages/node/scripts/patches.mjs`);
        return { contents: source.replace(patch.source, patch.replace), loader: 'js' };
      });
    }
  },
};
