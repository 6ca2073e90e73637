import type { SloSpec } from '@otelkit/node/artifacts';

// Availability of inbound HTTP by route: the share of requests answered 5xx (4xx are the client's errors).
// Latency of inbound HTTP by route: the share answered in more than 500 ms (a bucket bound of the histogram).
export const slos: readonly SloSpec[] = [
  {
    name: 'http-availability',
    description: 'Inbound requests of a route answered with a 5xx status (4xx are the client\'s errors).',
    objective: 0.995,
    by: ['http.route'],
    bad: 'rate({{http.server.request.duration:count}}{http_response_status_code=~"5.."}[$window])',
    total: 'rate({{http.server.request.duration:count}}[$window])',
  },
  {
    name: 'http-latency',
    description: 'Inbound requests of a route answered in more than 500 ms.',
    objective: 0.99,
    by: ['http.route'],
    latency: { histogram: 'http.server.request.duration', threshold: 0.5 },
  },
];
