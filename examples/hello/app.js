// The smallest otelkit app: a node:http server that calls itself. Start it with `npm start`
// (node --import @otelkit/node/register app.js); otelkit needs no code here, the helpers below are optional.
import http from 'node:http';
import { counter, histogram, start, startTimer, withSpan } from '@otelkit/node';

const port = Number(process.env.PORT ?? 3000);
const stopAfter = Number(process.env.HELLO_REQUESTS ?? Infinity);

const requests = counter('hello.requests', { unit: '{request}', description: 'Requests served by the hello app.' });
const duration = histogram('hello.request.duration', { unit: 's', description: 'Time to answer a hello request.' });

const server = http.createServer((req, res) => {
  const timer = startTimer(duration, { 'http.route': '/' });
  withSpan('hello.request', (span) => {
    span.setAttribute('http.route', '/');
    requests.add(1, { 'http.route': '/' });
    res.end('hello from otelkit\n');
  });
  timer.stop({ 'http.response.status_code': 200 });
});

let sent = 0;
function callSelf() {
  http.get(`http://127.0.0.1:${server.address().port}/`, (res) => {
    res.resume();
    res.on('end', () => {
      sent += 1;
      if (sent >= stopAfter) server.close();
    });
  });
}

server.listen(port, '127.0.0.1', () => {
  // start() returns the instance the register entry already started; its config says where telemetry goes.
  const { config } = start();
  const pull = config.metrics.exporters.includes('prometheus') ? `http://localhost:${config.metrics.prometheus.port}/metrics` : 'off';
  const otlp = config.metrics.exporters.includes('otlp') ? config.metrics.otlp.endpoint : 'off';
  console.log(`hello: listening on http://127.0.0.1:${server.address().port}/`);
  console.log(`hello: metrics at ${pull} (Prometheus pull) and pushed to ${otlp} (OTLP); traces to ${config.traces.otlp.endpoint}`);
  callSelf();
  const timer = setInterval(() => (sent >= stopAfter ? clearInterval(timer) : callSelf()), 2000);
  server.on('close', () => clearInterval(timer));
});
