#!/usr/bin/env node
// Gateway discovery for the native stack's scale topology, the loopback stand-in for what a Kubernetes headless
// Service (DNS resolver) or EndpointSlices (k8s resolver) give the agents' load_balancing exporter: the list of
// gateways that are ready. Every interval it asks each gateway's health check; a gateway leaves the list after
// `--failures` failed checks in a row and comes back after one good one. On a change it writes the list into the
// config file the agents load after collector/agent.yaml, then sends each agent SIGHUP (a collector reloads its
// configuration on SIGHUP). It never publishes an empty list: with no gateway ready it keeps the last one, so the
// agents queue and retry instead of failing to reload.
//
//   node scripts/stack/gateway-discovery.mjs --state-dir=DIR --listen=127.0.0.1:PORT --agent=agent-1 ...
//        --gateway=gateway-1=127.0.0.1:24317=http://127.0.0.1:23133/ ... [--interval-ms=1000] [--failures=2]
//
// GET / on --listen answers the current list and every change so far, as JSON.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify as stringifyYaml } from 'yaml';
import { compareProcess, readPidFile } from './pid-file.mjs';
import { gatewayListConfig, gatewayListFile } from './scale.mjs';

/** Parses and checks the arguments; throws an Error whose message names the bad argument. */
export function parseDiscoveryArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      listen: { type: 'string' },
      agent: { type: 'string', multiple: true, default: [] },
      gateway: { type: 'string', multiple: true, default: [] },
      'interval-ms': { type: 'string', default: '1000' },
      failures: { type: 'string', default: '2' },
    },
    strict: true,
  });
  const fail = (msg) => {
    throw new Error(`gateway-discovery: ${msg}`);
  };
  if (!values['state-dir']) fail('--state-dir is required');
  const listen = /^([\d.]+):(\d+)$/.exec(values.listen ?? '');
  if (!listen) fail(`--listen must be host:port (got ${JSON.stringify(values.listen ?? '')})`);
  const gateways = values.gateway.map((spec) => {
    const m = /^([\w.-]+)=([^=\s]+:\d+)=(https?:\/\/\S+)$/.exec(spec);
    if (!m) fail(`--gateway must be name=host:port=healthUrl (got ${JSON.stringify(spec)})`);
    return { name: m[1], endpoint: m[2], health: m[3] };
  });
  if (gateways.length === 0) fail('at least one --gateway is required');
  const intervalMs = Number(values['interval-ms']);
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000) fail(`--interval-ms must be an integer from 100 to 60000 (got ${values['interval-ms']})`);
  const failures = Number(values.failures);
  if (!Number.isInteger(failures) || failures < 1 || failures > 100) fail(`--failures must be an integer from 1 to 100 (got ${values.failures})`);
  return { stateDir: values['state-dir'], host: listen[1], port: Number(listen[2]), agents: values.agent, gateways, intervalMs, failures };
}

/** Writes the list atomically (agents may reload at any moment). */
export function writeGatewayList(stateDir, endpoints) {
  const file = gatewayListFile(stateDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, stringifyYaml(gatewayListConfig(endpoints)));
  renameSync(`${file}.tmp`, file);
}

async function healthy(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(800) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function reloadAgents(stateDir, agents) {
  const reloaded = [];
  for (const name of agents) {
    const record = readPidFile(join(stateDir, 'pids', `${name}.pid`));
    if (record === undefined || compareProcess(record.pid, record.identity) !== 'same') continue;
    try {
      process.kill(record.pid, 'SIGHUP');
      reloaded.push(name);
    } catch {
      // It exited meanwhile.
    }
  }
  return reloaded;
}

async function main() {
  const opts = parseDiscoveryArgs(process.argv.slice(2));
  let members = opts.gateways.map((g) => g.name);
  const failed = new Map(opts.gateways.map((g) => [g.name, 0]));
  const changes = [{ at: new Date().toISOString(), members: [...members], reloaded: [] }];
  writeGatewayList(opts.stateDir, opts.gateways.map((g) => g.endpoint));

  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ members, changes }));
  });
  await new Promise((r) => server.listen(opts.port, opts.host, r));
  console.log(`gateway-discovery: listening on ${opts.host}:${opts.port}; gateways ${members.join(', ')}`);

  for (;;) {
    await new Promise((r) => setTimeout(r, opts.intervalMs));
    const checks = await Promise.all(opts.gateways.map((g) => healthy(g.health)));
    opts.gateways.forEach((g, i) => failed.set(g.name, checks[i] ? 0 : (failed.get(g.name) ?? 0) + 1));
    const next = opts.gateways.filter((g) => (failed.get(g.name) ?? 0) < opts.failures);
    const names = next.map((g) => g.name);
    if (next.length === 0 || names.join() === members.join()) continue;
    members = names;
    writeGatewayList(opts.stateDir, next.map((g) => g.endpoint));
    const reloaded = reloadAgents(opts.stateDir, opts.agents);
    changes.push({ at: new Date().toISOString(), members: [...members], reloaded });
    console.log(`gateway-discovery: gateways now ${members.join(', ')}; reloaded ${reloaded.join(', ') || 'no agent'}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(2);
  });
}
