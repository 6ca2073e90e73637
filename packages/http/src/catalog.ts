import type { Catalog } from '@otelkit/node';

// These instruments are created by the official HTTP instrumentations (stable semantic conventions);
// the catalog describes them so docs, dashboards and rules come from the same source as the other packs.
export const catalog = [
  {
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of inbound HTTP requests.',
    attributes: [
      { key: 'http.request.method' },
      { key: 'http.response.status_code' },
      { key: 'http.route', optional: true },
      { key: 'error.type', optional: true },
    ],
  },
  {
    name: 'http.client.request.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Duration of outbound HTTP requests.',
    attributes: [
      { key: 'http.request.method' },
      { key: 'http.response.status_code', optional: true },
      { key: 'server.address' },
      { key: 'error.type', optional: true },
    ],
  },
] as const satisfies Catalog;
