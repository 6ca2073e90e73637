#!/usr/bin/env node
// The local observability stack without Docker: `up` builds (cached) and starts the OpenTelemetry Collector,
// Jaeger v2, Prometheus and Alertmanager on loopback; `down` stops them; `status` shows their health; `build` only
// installs the binaries (and prints their paths). `up --with-servers` adds the server metrics of
// collector/receivers.yaml (PostgreSQL, Redis, the host; collector/servers.md), read from OTELKIT_POSTGRES_URL,
// OTELKIT_REDIS_ENDPOINT and OTELKIT_SERVERS_INTERVAL or their defaults. State (data, logs, pid files) lives in
// .stack/ of the clone, or in OTELKIT_STACK_DIR.
import { join } from 'node:path';
import { BackendUnavailableError, ensureAll, ensureDockerCompose, ensureServerExporters, repoRoot } from './stack/backends.mjs';
import { stackStatus, startStack, stopStackFromState, TOPOLOGIES } from './stack/runner.mjs';
import { topologyFromArgs } from './stack/scale.mjs';

const stateDir = process.env.OTELKIT_STACK_DIR ?? join(repoRoot, '.stack');
const [command = 'up', ...rest] = process.argv.slice(2);

function printUrls(urls) {
  const rows = [
    ['OTLP gRPC (apps send here)', urls.otlpGrpc.replace('http://', '')],
    ['OTLP HTTP', urls.otlpHttp],
    ['Prometheus', urls.prometheus],
    ['Jaeger UI / query API', urls.jaegerQuery],
    ['Alertmanager', urls.alertmanager],
    ['Collector exporter (scraped)', urls.collectorExporter],
    ['Collector own metrics', urls.collectorMetrics],
    ...(urls.postgresExporter === undefined ? [] : [['PostgreSQL exporter', urls.postgresExporter], ['Node exporter', urls.nodeExporter]]),
  ];
  // The scale topology: agent-1 is the OTLP rows above; the other collectors follow.
  for (const c of [...(urls.agents ?? []).slice(1), ...(urls.gateways ?? [])]) rows.push([`${c.name} (health)`, c.collectorHealth]);
  for (const [name, url] of rows) if (url !== undefined) console.log(`  ${name.padEnd(30)} ${url}`);
}

async function main() {
  switch (command) {
    case 'up': {
      // `--topology scale`: two agents in front of two gateways, Prometheus as the remote-write store (scale.mjs).
      const topology = topologyFromArgs(rest, TOPOLOGIES);
      const status = await stackStatus(stateDir);
      if (status && Object.values(status.health).every((h) => h === 'healthy')) {
        console.log(`stack: already running (state in ${stateDir})`);
        printUrls(status.urls);
        return;
      }
      if (status) await stopStackFromState(stateDir);
      const stack = await startStack({
        stateDir,
        detached: true,
        scrapeInterval: process.env.OTELKIT_STACK_SCRAPE_INTERVAL ?? '5s',
        alertmanager: !rest.includes('--no-alertmanager'),
        topology,
        ...(rest.includes('--with-servers')
          ? { servers: { postgresUrl: process.env.OTELKIT_POSTGRES_URL, redisEndpoint: process.env.OTELKIT_REDIS_ENDPOINT, interval: process.env.OTELKIT_SERVERS_INTERVAL } }
          : {}),
      });
      console.log(`stack: up (state and logs in ${stateDir}; stop with npm run stack:down)`);
      printUrls(stack.urls);
      return;
    }
    case 'down': {
      const stopped = await stopStackFromState(stateDir);
      console.log(stopped.length > 0 ? `stack: stopped ${stopped.join(', ')}` : 'stack: nothing was running');
      return;
    }
    case 'status': {
      const status = await stackStatus(stateDir);
      if (!status) {
        console.log('stack: not running');
        process.exitCode = 1;
        return;
      }
      for (const [name, health] of Object.entries(status.health)) console.log(`  ${name.padEnd(14)} ${health}`);
      printUrls(status.urls);
      if (!Object.values(status.health).every((h) => h === 'healthy')) process.exitCode = 1;
      return;
    }
    case 'build': {
      const bins = await ensureAll();
      if (rest.includes('--with-servers')) Object.assign(bins, await ensureServerExporters());
      if (rest.includes('--with-compose')) bins.dockerCompose = await ensureDockerCompose();
      for (const [name, path] of Object.entries(bins)) console.log(`  ${name.padEnd(14)} ${path}`);
      return;
    }
    default:
      console.error('usage: node scripts/stack.mjs up [--no-alertmanager] [--with-servers] [--topology single|scale] | down | status | build [--with-compose] [--with-servers]');
      process.exitCode = 2;
  }
}

main().catch((err) => {
  if (err instanceof BackendUnavailableError) {
    console.error(err.message);
  } else {
    console.error(err?.stack ?? String(err));
  }
  process.exitCode = 1;
});
