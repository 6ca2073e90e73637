// Local OTLP sinks so the benchmarks export for real without a collector: an OTLP/gRPC endpoint (HTTP/2, answers
// every Export with an empty response and grpc-status 0) and an OTLP/HTTP endpoint (200, empty protobuf body).
import { createServer as createH2Server } from 'node:http2';
import { createServer as createHttpServer } from 'node:http';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

export async function startSinks() {
  let requests = 0;
  const grpc = createH2Server();
  grpc.on('stream', (stream) => {
    stream.on('data', () => {});
    stream.on('end', () => {
      requests++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // One length-prefixed gRPC message of length 0: an empty Export*ServiceResponse.
      stream.end(Buffer.alloc(5));
    });
  });
  grpc.on('session', (session) => session.on('error', () => {}));
  const http = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
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
