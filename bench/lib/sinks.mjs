// Local OTLP sinks so the benchmarks export for real without a collector: an OTLP/gRPC endpoint (HTTP/2, answers
// every Export with an empty response and grpc-status 0) and an OTLP/HTTP endpoint (200, empty protobuf body).
// `watch(marker)` counts the metrics and trace exports whose payload carries `marker` (a resource attribute value
// set per process), so the startup benchmark can tell when one particular process has really exported.
import { createServer as createH2Server } from 'node:http2';
import { createServer as createHttpServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** `metrics`, `traces` or `logs` from an OTLP gRPC method path or OTLP/HTTP path. */
function signalOf(path) {
  if (/MetricsService|\/v1\/metrics/.test(path)) return 'metrics';
  if (/TraceService|\/v1\/traces/.test(path)) return 'traces';
  return 'logs';
}

function tryGunzip(buf) {
  try {
    return gunzipSync(buf);
  } catch {
    return buf;
  }
}

/** The protobuf payload of one length-prefixed gRPC message (flag byte 1 = compressed, gzip is all OTel JS sends). */
function grpcPayload(body) {
  if (body.length < 5) return body;
  const payload = body.subarray(5, 5 + body.readUInt32BE(1));
  return body[0] === 1 ? tryGunzip(payload) : payload;
}

/** Reads one protobuf varint at `pos`; returns [value, next position]. */
function varint(buf, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** Calls `fn(start, end)` for each length-delimited field `field` of the message in buf[start, end). */
function eachField(buf, start, end, field, fn) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = varint(buf, pos);
    const wire = key & 7;
    if (wire === 0) [, pos] = varint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len;
      [len, pos] = varint(buf, pos);
      if (key >>> 3 === field) fn(pos, pos + len);
      pos += len;
    } else return;
  }
}

/** Spans in an OTLP ExportTraceServiceRequest (resource_spans = 1 > scope_spans = 2 > spans = 2). */
export function countSpans(payload) {
  let spans = 0;
  try {
    eachField(payload, 0, payload.length, 1, (rs, rsEnd) => eachField(payload, rs, rsEnd, 2, (ss, ssEnd) => eachField(payload, ss, ssEnd, 2, () => spans++)));
  } catch {
    return 0;
  }
  return spans;
}

export async function startSinks() {
  let requests = 0;
  let spans = 0;
  const watches = new Set();
  const seen = (signal, payload) => {
    requests++;
    if (signal === 'traces') spans += countSpans(payload);
    for (const w of watches) {
      if (payload.includes(w.marker)) {
        w.counts[signal]++;
        w.check();
      }
    }
  };
  const grpc = createH2Server();
  grpc.on('stream', (stream, headers) => {
    const chunks = [];
    stream.on('data', (d) => chunks.push(d));
    stream.on('end', () => {
      seen(signalOf(String(headers[':path'])), grpcPayload(Buffer.concat(chunks)));
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // One length-prefixed gRPC message of length 0: an empty Export*ServiceResponse.
      stream.end(Buffer.alloc(5));
    });
  });
  grpc.on('session', (session) => session.on('error', () => {}));
  const http = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen(signalOf(req.url ?? ''), req.headers['content-encoding'] === 'gzip' ? tryGunzip(body) : body);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const [grpcPort, httpPort] = await Promise.all([listen(grpc), listen(http)]);
  return {
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    get requests() {
      return requests;
    },
    /** Spans received over either protocol (protobuf payloads), since the sinks started. */
    get spans() {
      return spans;
    },
    /**
     * Starts counting exports that carry `marker`. `until(predicate, timeoutMs)` resolves with the counts once
     * `predicate(counts)` holds, or with `timedOut: true` after `timeoutMs`; `stop()` ends the watch.
     */
    watch(marker) {
      const w = { marker: Buffer.from(marker), counts: { metrics: 0, traces: 0, logs: 0 }, check: () => {} };
      watches.add(w);
      return {
        counts: w.counts,
        until(predicate, timeoutMs) {
          return new Promise((resolve) => {
            const finish = (timedOut) => {
              clearTimeout(timer);
              w.check = () => {};
              resolve({ ...w.counts, timedOut });
            };
            const timer = setTimeout(() => finish(true), timeoutMs);
            w.check = () => predicate(w.counts) && finish(false);
            w.check();
          });
        },
        stop: () => watches.delete(w),
      };
    },
    async close() {
      grpc.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

/** A TCP port that was free a moment ago (for exporters that cannot listen on port 0). */
export async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}
