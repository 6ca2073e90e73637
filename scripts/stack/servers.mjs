// The opt-in server side of the native stack (`pnpm stack:up --with-servers`, or `servers` in startStack): the
// Prometheus community's postgres_exporter and node_exporter on loopback, and the collector started with
// collector/receivers.yaml as a second --config (its redis receiver, and a prometheus receiver scraping the two
// exporters). collector/servers.md describes it; compose.servers.yaml does the same with Docker.
import { join } from 'node:path';
import { ensureServerExporters, repoRoot } from './backends.mjs';

const HOST = '127.0.0.1';

/** The exporters' usual ports (postgres_exporter's and node_exporter's own defaults). */
export const SERVER_PORTS = Object.freeze({ postgresExporter: 9187, nodeExporter: 9100 });

/** What the server side reads when not told otherwise: a local PostgreSQL and Redis on their default ports. */
export const SERVER_DEFAULTS = Object.freeze({
  postgresUrl: 'postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable',
  redisEndpoint: '127.0.0.1:6379',
  interval: '15s',
});

/** node_exporter's collectors: CPU, memory, filesystems, disks, network, load, processes. */
const NODE_COLLECTORS = ['cpu', 'meminfo', 'filesystem', 'diskstats', 'netdev', 'loadavg', 'stat'];

/**
 * `{ postgresUrl, redisEndpoint, interval }` with defaults filled in; throws an Error naming the option, what was
 * wrong and an example for a value the exporters or the collector would refuse later, less clearly.
 */
export function resolveServerOptions(options = {}) {
  const resolved = { ...SERVER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  for (const key of Object.keys(resolved)) {
    if (!(key in SERVER_DEFAULTS)) throw new Error(`otelkit stack: unknown servers option ${JSON.stringify(key)}; expected ${Object.keys(SERVER_DEFAULTS).join(', ')}`);
  }
  let url;
  try {
    url = new URL(resolved.postgresUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['postgres:', 'postgresql:'].includes(url.protocol) || url.hostname === '') {
    throw new Error(`otelkit stack: servers.postgresUrl (OTELKIT_POSTGRES_URL) must be a postgresql://user@host:port/database URL, got ${JSON.stringify(resolved.postgresUrl)}`);
  }
  const endpoint = /^([^:/\s]+):(\d{1,5})$/.exec(resolved.redisEndpoint);
  if (endpoint === null || Number(endpoint[2]) < 1 || Number(endpoint[2]) > 65535) {
    throw new Error(`otelkit stack: servers.redisEndpoint (OTELKIT_REDIS_ENDPOINT) must be host:port, e.g. 127.0.0.1:6379, got ${JSON.stringify(resolved.redisEndpoint)}`);
  }
  if (!/^[1-9]\d*(ms|s|m)$/.test(resolved.interval)) {
    throw new Error(`otelkit stack: servers.interval (OTELKIT_SERVERS_INTERVAL) must be a duration such as 15s or 1m, got ${JSON.stringify(resolved.interval)}`);
  }
  return resolved;
}

/**
 * The exporters as runner services (`cmd`, `args`, `env`, `health`), and what the collector needs on top of its own
 * config: the second --config and the variables collector/receivers.yaml reads.
 */
export async function serverStack({ ports, options }) {
  const { postgresUrl, redisEndpoint, interval } = resolveServerOptions(options);
  const bins = await ensureServerExporters();
  const postgresExporter = `${HOST}:${ports.postgresExporter}`;
  const nodeExporter = `${HOST}:${ports.nodeExporter}`;
  return {
    services: {
      'postgres-exporter': {
        cmd: bins.postgresExporter,
        args: [`--web.listen-address=${postgresExporter}`, `--extend.query-path=${join(repoRoot, 'collector', 'postgres-exporter', 'queries.yaml')}`],
        env: { DATA_SOURCE_NAME: postgresUrl },
        health: `http://${postgresExporter}/`,
      },
      'node-exporter': {
        cmd: bins.nodeExporter,
        args: [`--web.listen-address=${nodeExporter}`, '--collector.disable-defaults', ...NODE_COLLECTORS.map((c) => `--collector.${c}`)],
        env: {},
        health: `http://${nodeExporter}/`,
      },
    },
    collectorArgs: [`--config=${join(repoRoot, 'collector', 'receivers.yaml')}`],
    collectorEnv: {
      OTELKIT_REDIS_ENDPOINT: redisEndpoint,
      OTELKIT_POSTGRES_EXPORTER_ENDPOINT: postgresExporter,
      OTELKIT_NODE_EXPORTER_ENDPOINT: nodeExporter,
      OTELKIT_SERVERS_INTERVAL: interval,
    },
    urls: { postgresExporter: `http://${postgresExporter}/metrics`, nodeExporter: `http://${nodeExporter}/metrics` },
  };
}
