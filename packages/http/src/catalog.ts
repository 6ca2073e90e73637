import type { Catalog } from '@otelkit/node/kit';

// The pack records node:http/https itself (node-http.ts) from these definitions; fetch is recorded by the official
// `@opentelemetry/instrumentation-undici` under the same name, unit and buckets. Stable semantic conventions only, as
// the upstream instrumentations emit since 0.301; metric names carry no namespace (they are the conventions' own).
export const catalog = [
  {
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of inbound HTTP requests.',
    attributes: [
      { key: 'http.request.method' },
      { key: 'http.response.status_code' },
      { key: 'url.scheme' },
      { key: 'http.route', optional: true, description: 'The matched route template (`/accounts/:id`), from find-my-way, Express, Fastify or `setHttpRoute()`; absent when no router reported one.' },
      { key: 'network.protocol.version', optional: true },
      { key: 'error.type', optional: true, description: 'The status code for 5xx responses, or `aborted` when the client went away before the response was sent.' },
    ],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  },
  {
    name: 'http.client.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of outbound HTTP requests (node:http and fetch).',
    attributes: [
      { key: 'http.request.method' },
      { key: 'server.address' },
      { key: 'server.port' },
      { key: 'url.scheme', optional: true },
      { key: 'http.response.status_code', optional: true },
      { key: 'network.protocol.version', optional: true },
      { key: 'error.type', optional: true, description: 'The status code for 4xx/5xx responses, or the error class.' },
    ],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  },
] as const;

// A statement, not `as const satisfies`, because isolatedDeclarations cannot infer through `satisfies`.
catalog satisfies Catalog;
