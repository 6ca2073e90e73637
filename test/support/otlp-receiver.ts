// A local OTLP receiver for process tests: OTLP/HTTP (protobuf and JSON) and OTLP/gRPC on port 0 of 127.0.0.1.
// Protobuf payloads are decoded with the protobufjs root generated from opentelemetry-proto that
// @opentelemetry/otlp-transformer shipped up to 0.217 (installed under an alias in test/package.json);
// JSON payloads are parsed and normalised into the same shape.
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';

type Obj = Record<string, unknown>;
interface ProtoType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: object): Obj;
}

const require = createRequire(import.meta.url);
const root = require('@opentelemetry/otlp-transformer-protobufjs/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: Record<'metrics' | 'trace', { v1: Record<string, ProtoType> }> } };
};
const MetricsRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest as ProtoType;
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest as ProtoType;
const TO_OBJECT = { longs: Number, bytes: String, enums: Number, defaults: false, arrays: true };

export type Attributes = Record<string, unknown>;

/** One data point, whatever the metric type. */
export interface ReceivedPoint {
  readonly attributes: Attributes;
  /** Sum and gauge value. */
  readonly value?: number;
  /** Histogram fields. */
  readonly count?: number;
  readonly sum?: number;
  readonly bucketCounts?: readonly number[];
  readonly explicitBounds?: readonly number[];
}

export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly type: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';
  readonly monotonic?: boolean;
  readonly resource: Attributes;
  readonly scope: string;
  readonly points: readonly ReceivedPoint[];
  readonly transport: Transport;
}

export interface ReceivedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly kind: number;
  readonly attributes: Attributes;
  readonly status: { readonly code: number; readonly message?: string };
  readonly events: readonly { readonly name: string; readonly attributes: Attributes }[];
  readonly resource: Attributes;
  readonly scope: string;
  readonly transport: Transport;
}

export type Transport = 'grpc' | 'http/protobuf' | 'http/json';

export interface ReceivedRequest {
  readonly signal: 'metrics' | 'traces';
  readonly transport: Transport;
  readonly headers: Readonly<Record<string, string>>;
}

function anyValue(v: Obj | undefined): unknown {
  if (v === undefined) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return ((v.arrayValue as Obj).values as Obj[] | undefined ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributes((v.kvlistValue as Obj).values as Obj[] | undefined);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}

function attributes(list: Obj[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key as string] = anyValue(kv.value as Obj | undefined);
  return out;
}

/** Protobuf bytes come out of toObject as base64; OTLP/JSON carries them as hex. Both end as hex here. */
function hexId(value: unknown, transport: Transport): string {
  if (typeof value !== 'string' || value === '') return '';
  return transport === 'http/json' ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
}

function num(v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : Number(v);
}

function point(p: Obj): ReceivedPoint {
  const base = { attributes: attributes(p.attributes as Obj[] | undefined) };
  if ('asDouble' in p || 'asInt' in p) return { ...base, value: Number(p.asDouble ?? p.asInt) };
  if ('bucketCounts' in p || 'count' in p) {
    const out: ReceivedPoint = {
      ...base,
      count: Number(p.count ?? 0),
      bucketCounts: ((p.bucketCounts as unknown[] | undefined) ?? []).map(Number),
      explicitBounds: ((p.explicitBounds as unknown[] | undefined) ?? []).map(Number),
    };
    const sum = num(p.sum);
    return sum === undefined ? out : { ...out, sum };
  }
  return { ...base, value: 0 };
}

function normaliseMetrics(request: Obj, transport: Transport): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  for (const rm of (request.resourceMetrics as Obj[] | undefined) ?? []) {
    const resource = attributes(((rm.resource as Obj | undefined)?.attributes as Obj[] | undefined) ?? []);
    for (const sm of (rm.scopeMetrics as Obj[] | undefined) ?? []) {
      const scope = String((sm.scope as Obj | undefined)?.name ?? '');
      for (const m of (sm.metrics as Obj[] | undefined) ?? []) {
        const type = (['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'] as const).find((t) => t in m);
        if (type === undefined) continue;
        const data = m[type] as Obj;
        const metric: ReceivedMetric = {
          name: String(m.name),
          unit: String(m.unit ?? ''),
          description: String(m.description ?? ''),
          type,
          resource,
          scope,
          points: ((data.dataPoints as Obj[] | undefined) ?? []).map(point),
          transport,
        };
        out.push(type === 'sum' ? { ...metric, monotonic: data.isMonotonic === true } : metric);
      }
    }
  }
  return out;
}

function normaliseSpans(request: Obj, transport: Transport): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (request.resourceSpans as Obj[] | undefined) ?? []) {
    const resource = attributes(((rs.resource as Obj | undefined)?.attributes as Obj[] | undefined) ?? []);
    for (const ss of (rs.scopeSpans as Obj[] | undefined) ?? []) {
      const scope = String((ss.scope as Obj | undefined)?.name ?? '');
      for (const s of (ss.spans as Obj[] | undefined) ?? []) {
        const status = (s.status as Obj | undefined) ?? {};
        out.push({
          name: String(s.name),
          traceId: hexId(s.traceId, transport),
          spanId: hexId(s.spanId, transport),
          parentSpanId: hexId(s.parentSpanId, transport),
          kind: Number(s.kind ?? 0),
          attributes: attributes(s.attributes as Obj[] | undefined),
          status: { code: Number(status.code ?? 0), ...(status.message ? { message: String(status.message) } : {}) },
          events: ((s.events as Obj[] | undefined) ?? []).map((e) => ({ name: String(e.name), attributes: attributes(e.attributes as Obj[] | undefined) })),
          resource,
          scope,
          transport,
        });
      }
    }
  }
  return out;
}

export interface OtlpReceiver {
  /** Base URL of the OTLP/HTTP endpoint (`/v1/metrics`, `/v1/traces`). */
  readonly httpUrl: string;
  /** URL of the OTLP/gRPC endpoint. */
  readonly grpcUrl: string;
  readonly metrics: ReceivedMetric[];
  readonly spans: ReceivedSpan[];
  readonly requests: ReceivedRequest[];
  /** Resolves once `predicate` holds on what was received; rejects with `message` after `timeoutMs`. */
  waitFor(predicate: (r: OtlpReceiver) => boolean, message: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

function headerRecord(headers: IncomingMessage['headers'] | grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof grpc.Metadata ? Object.entries(headers.getMap()) : Object.entries(headers);
  for (const [k, v] of entries) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

/** Starts the receiver on 127.0.0.1 with ephemeral ports. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const metrics: ReceivedMetric[] = [];
  const spans: ReceivedSpan[] = [];
  const requests: ReceivedRequest[] = [];

  const accept = (signal: 'metrics' | 'traces', transport: Transport, decoded: Obj, headers: Record<string, string>): void => {
    requests.push({ signal, transport, headers });
    if (signal === 'metrics') metrics.push(...normaliseMetrics(decoded, transport));
    else spans.push(...normaliseSpans(decoded, transport));
  };

  const http: HttpServer = createServer((req, res) => {
    const signal = req.url === '/v1/metrics' ? 'metrics' : req.url === '/v1/traces' ? 'traces' : undefined;
    if (req.method !== 'POST' || signal === undefined) {
      res.writeHead(404).end();
      return;
    }
    readBody(req)
      .then((body) => {
        const json = String(req.headers['content-type'] ?? '').includes('json');
        const type = signal === 'metrics' ? MetricsRequest : TraceRequest;
        const decoded = json ? (JSON.parse(body.toString('utf8')) as Obj) : type.toObject(type.decode(body), TO_OBJECT);
        accept(signal, json ? 'http/json' : 'http/protobuf', decoded, headerRecord(req.headers));
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : Buffer.alloc(0));
      })
      .catch((error: unknown) => {
        res.writeHead(400).end(String(error));
      });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const httpPort = (http.address() as { port: number }).port;

  const server = new grpc.Server();
  const passThrough = (b: Buffer): Buffer => b;
  const method = (signal: 'metrics' | 'traces'): grpc.ServiceDefinition => ({
    Export: {
      path: signal === 'metrics' ? '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export' : '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    },
  });
  const handler = (signal: 'metrics' | 'traces') => ({
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      const type = signal === 'metrics' ? MetricsRequest : TraceRequest;
      accept(signal, 'grpc', type.toObject(type.decode(call.request), TO_OBJECT), headerRecord(call.metadata));
      done(null, Buffer.alloc(0));
    },
  });
  server.addService(method('metrics'), handler('metrics'));
  server.addService(method('traces'), handler('traces'));
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );

  const receiver: OtlpReceiver = {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    metrics,
    spans,
    requests,
    async waitFor(predicate, message, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting: ${message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close(): Promise<void> {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    },
  };
  return receiver;
}
