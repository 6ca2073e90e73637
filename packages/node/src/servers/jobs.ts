// The jobs server metrics arrive under (collector/receivers.yaml: the prometheus receiver's scrape job names, and the
// service.name the redis receiver's resource processor sets). Dashboards and rules select on them; the service rules
// leave them out, since a server's target_info is not an otelkit service's.

export const SERVER_JOBS: { readonly postgresql: string; readonly redis: string; readonly host: string } = Object.freeze({
  postgresql: 'postgresql',
  redis: 'redis',
  host: 'node',
});
