// Starts the real Collector, Jaeger v2, Prometheus and Alertmanager natively on loopback, from the same config files
// compose mounts (collector/otelcol-config.yaml, collector/jaeger/config.yaml, collector/prometheus/,
// collector/alertmanager/). Used by `scripts/stack.mjs up` (detached, pid files) and by the e2e test harness
// (test/support/stack.ts: random ports, children stopped with the test).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ensureAlertmanager, ensureCollector, ensureJaeger, ensurePrometheus, repoRoot } from './backends.mjs';
import { compareProcess, processIdentity, readPidFile, writePidFile } from './pid-file.mjs';
import { SCALE_COLLECTOR_PORTS, scalePrometheusConfig, scaleServices, scaleUrls } from './scale.mjs';
import { SERVER_PORTS, serverStack } from './servers.mjs';

/** The ports the stack uses by default (the same as compose.yaml publishes). */
export const DEFAULT_PORTS = Object.freeze({
  collectorOtlpGrpc: 4317,
  collectorOtlpHttp: 4318,
  collectorPrometheus: 8889,
  collectorTelemetry: 8888,
  collectorHealth: 13133,
  jaegerOtlpGrpc: 14317,
  jaegerOtlpHttp: 14318,
  jaegerQuery: 16686,
  jaegerQueryGrpc: 16685,
  jaegerHealth: 13134,
  jaegerHealthGrpc: 13135,
  jaegerTelemetry: 18888,
  prometheus: 9090,
  alertmanager: 9093,
});

export const DEFAULT_APP_TARGET = '127.0.0.1:9464';
const HOST = '127.0.0.1';

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

/** The topologies startStack knows: one collector, or agents in front of gateways (scale.mjs). */
export const TOPOLOGIES = Object.freeze(['single', 'scale']);

/** The default ports of a topology: the scale topology's collectors replace the single collector's. */
export function defaultPorts(topology = 'single') {
  if (topology === 'single') return DEFAULT_PORTS;
  const rest = Object.fromEntries(Object.entries(DEFAULT_PORTS).filter(([key]) => !key.startsWith('collector')));
  return Object.freeze({ ...rest, ...SCALE_COLLECTOR_PORTS });
}

/** Every port of `defaults` replaced by a free one (for tests running next to other stacks). */
export async function randomPorts(defaults = DEFAULT_PORTS) {
  const out = {};
  const seen = new Set();
  for (const key of Object.keys(defaults)) {
    let p;
    do p = await freePort(); while (seen.has(p));
    seen.add(p);
    out[key] = p;
  }
  return out;
}

export function stackUrls(ports) {
  return {
    otlpGrpc: `http://${HOST}:${ports.collectorOtlpGrpc}`,
    otlpHttp: `http://${HOST}:${ports.collectorOtlpHttp}`,
    collectorExporter: `http://${HOST}:${ports.collectorPrometheus}/metrics`,
    collectorMetrics: `http://${HOST}:${ports.collectorTelemetry}/metrics`,
    collectorHealth: `http://${HOST}:${ports.collectorHealth}/`,
    jaegerQuery: `http://${HOST}:${ports.jaegerQuery}`,
    jaegerOtlpGrpc: `http://${HOST}:${ports.jaegerOtlpGrpc}`,
    prometheus: `http://${HOST}:${ports.prometheus}`,
    prometheusOtlp: `http://${HOST}:${ports.prometheus}/api/v1/otlp/v1/metrics`,
    alertmanager: `http://${HOST}:${ports.alertmanager}`,
  };
}

/** The URLs of the backends every topology has (Jaeger, Prometheus, Alertmanager). */
function backendUrls(urls) {
  const { jaegerQuery, jaegerOtlpGrpc, prometheus, prometheusOtlp, alertmanager } = urls;
  return { jaegerQuery, jaegerOtlpGrpc, prometheus, prometheusOtlp, alertmanager };
}

function collectorEnv(ports) {
  return {
    OTELKIT_COLLECTOR_HEALTH_ENDPOINT: `${HOST}:${ports.collectorHealth}`,
    OTELKIT_COLLECTOR_OTLP_GRPC_ENDPOINT: `${HOST}:${ports.collectorOtlpGrpc}`,
    OTELKIT_COLLECTOR_OTLP_HTTP_ENDPOINT: `${HOST}:${ports.collectorOtlpHttp}`,
    OTELKIT_COLLECTOR_PROMETHEUS_ENDPOINT: `${HOST}:${ports.collectorPrometheus}`,
    OTELKIT_COLLECTOR_TELEMETRY_HOST: HOST,
    OTELKIT_COLLECTOR_TELEMETRY_PORT: String(ports.collectorTelemetry),
    OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT: `${HOST}:${ports.jaegerOtlpGrpc}`,
  };
}

function jaegerEnv(ports) {
  return {
    OTELKIT_JAEGER_TELEMETRY_HOST: HOST,
    OTELKIT_JAEGER_TELEMETRY_PORT: String(ports.jaegerTelemetry),
    OTELKIT_JAEGER_HEALTH_ENDPOINT: `${HOST}:${ports.jaegerHealth}`,
    OTELKIT_JAEGER_HEALTH_GRPC_ENDPOINT: `${HOST}:${ports.jaegerHealthGrpc}`,
    OTELKIT_JAEGER_QUERY_ENDPOINT: `${HOST}:${ports.jaegerQuery}`,
    OTELKIT_JAEGER_QUERY_GRPC_ENDPOINT: `${HOST}:${ports.jaegerQueryGrpc}`,
    OTELKIT_JAEGER_OTLP_GRPC_ENDPOINT: `${HOST}:${ports.jaegerOtlpGrpc}`,
    OTELKIT_JAEGER_OTLP_HTTP_ENDPOINT: `${HOST}:${ports.jaegerOtlpHttp}`,
  };
}

/** Where the native stack's Alertmanager delivers alerts unless told otherwise: a webhook receiver on the host. */
export const DEFAULT_ALERT_WEBHOOK_URL = 'http://127.0.0.1:9095/alerts';

/**
 * collector/alertmanager/alertmanager.yml with every receiver's webhook pointed at `webhookUrl`. Alertmanager
 * expands no variables in its config, so the URL is written into a copy; routes, inhibitions and the other
 * receivers stay as shipped.
 */
export function nativeAlertmanagerConfig({ webhookUrl }) {
  const cfg = parseYaml(readFileSync(join(repoRoot, 'collector', 'alertmanager', 'alertmanager.yml'), 'utf8'));
  for (const receiver of cfg.receivers ?? []) for (const hook of receiver.webhook_configs ?? []) hook.url = webhookUrl;
  return cfg;
}

function writeAppTargets(file, targets) {
  writeFileSync(file, stringifyYaml(targets.length > 0 ? [{ targets }] : []));
}

/**
 * collector/prometheus/prometheus.yml with its targets pointed at the native stack's loopback ports. Everything
 * else (jobs, honor_labels, rule files, alerting) stays as shipped, so compose and the native runner agree.
 */
export function nativePrometheusConfig({ ports, targetsDir, scrapeInterval, alertmanager }) {
  const dir = join(repoRoot, 'collector', 'prometheus');
  const cfg = parseYaml(readFileSync(join(dir, 'prometheus.yml'), 'utf8'));
  cfg.global = { ...cfg.global, scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval };
  cfg.rule_files = (cfg.rule_files ?? []).map((f) => (f.startsWith('/') ? f : join(dir, f)));
  if (alertmanager) {
    cfg.alerting = { alertmanagers: [{ static_configs: [{ targets: [`${HOST}:${ports.alertmanager}`] }] }] };
  } else {
    delete cfg.alerting;
  }
  const staticTargets = {
    'otel-collector': `${HOST}:${ports.collectorPrometheus}`,
    otelcol: `${HOST}:${ports.collectorTelemetry}`,
    prometheus: `${HOST}:${ports.prometheus}`,
  };
  for (const job of cfg.scrape_configs ?? []) {
    const target = staticTargets[job.job_name];
    if (target) job.static_configs = [{ targets: [target] }];
    if (job.job_name === 'app') job.file_sd_configs = [{ files: [join(targetsDir, 'app.yml')] }];
  }
  return cfg;
}

async function waitHealthy(name, url, child, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`otelkit stack: ${name} exited with code ${child.exitCode} before it became healthy; log ${logFile}:\n${tailOf(logFile)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`otelkit stack: ${name} did not become healthy at ${url} within ${timeoutMs / 1000} s (last: ${last}); log ${logFile}:\n${tailOf(logFile)}`);
}

function tailOf(file) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * SIGTERM, then SIGKILL after `timeoutMs`. With `identity` (see pid-file.mjs), every signal is sent only while the
 * pid still names that process: one that exited meanwhile may have handed its pid to another.
 */
function stopPid(pid, timeoutMs = 10_000, identity = undefined) {
  const ours = () => (identity === undefined ? alive(pid) : compareProcess(pid, identity) === 'same');
  return new Promise((resolvePromise) => {
    try {
      if (!ours()) throw new Error('gone');
      process.kill(pid, 'SIGTERM');
    } catch {
      resolvePromise();
      return;
    }
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      const still = ours();
      if (!still || Date.now() > deadline) {
        clearInterval(timer);
        if (still) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // It exited between the check and the kill.
          }
        }
        resolvePromise();
      }
    }, 100);
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the stack. Options: stateDir (required), ports ('default' | 'random' | object), appTargets (string[]),
 * scrapeInterval ('2s'), alertmanager (true), alertWebhookUrl (OTELKIT_STACK_ALERT_WEBHOOK_URL or
 * DEFAULT_ALERT_WEBHOOK_URL), detached (false: children die with stop() or this process), healthTimeoutMs (60 s),
 * topology ('single': one collector; 'scale': two agents in front of two gateways, Prometheus as the remote-write
 * store, see scale.mjs), collectorEnv (extra environment of every collector), gatewayEnv (of the gateways only),
 * servers (off; `{ postgresUrl, redisEndpoint, interval }`: the server metrics of collector/receivers.yaml, servers.mjs).
 */
export async function startStack(opts) {
  const stateDir = opts.stateDir;
  const topology = opts.topology ?? 'single';
  if (!TOPOLOGIES.includes(topology)) {
    throw new Error(`otelkit stack: unknown topology ${JSON.stringify(topology)}; expected one of ${TOPOLOGIES.join(', ')}`);
  }
  const scale = topology === 'scale';
  const ports = opts.ports === 'random' ? await randomPorts(defaultPorts(topology)) : { ...defaultPorts(topology), ...(typeof opts.ports === 'object' ? opts.ports : {}) };
  const withAlertmanager = opts.alertmanager ?? true;
  const detached = opts.detached ?? false;
  const healthTimeoutMs = opts.healthTimeoutMs ?? 60_000;
  const scrapeInterval = opts.scrapeInterval ?? '2s';
  const appTargets = opts.appTargets ?? [process.env.OTELKIT_STACK_APP_TARGET ?? DEFAULT_APP_TARGET];
  if (opts.servers !== undefined && scale) throw new Error('otelkit stack: servers (collector/receivers.yaml) run with the single topology only');
  const servers = opts.servers === undefined
    ? undefined
    : await serverStack({ ports: opts.ports === 'random' ? await randomPorts(SERVER_PORTS) : SERVER_PORTS, options: opts.servers });

  const bins = {
    collector: await ensureCollector(),
    jaeger: await ensureJaeger(),
    ...(await ensurePrometheus()),
    ...(withAlertmanager ? { alertmanager: (await ensureAlertmanager()).alertmanager } : {}),
  };

  for (const sub of ['logs', 'pids', 'collector', 'prometheus/data', 'prometheus/targets', 'alertmanager/data']) {
    mkdirSync(join(stateDir, sub), { recursive: true });
  }
  const targetsDir = join(stateDir, 'prometheus', 'targets');
  writeAppTargets(join(targetsDir, 'app.yml'), appTargets);
  const alertWebhookUrl = opts.alertWebhookUrl ?? process.env.OTELKIT_STACK_ALERT_WEBHOOK_URL ?? DEFAULT_ALERT_WEBHOOK_URL;
  const amConfig = join(stateDir, 'alertmanager', 'alertmanager.yml');
  if (withAlertmanager) writeFileSync(amConfig, stringifyYaml(nativeAlertmanagerConfig({ webhookUrl: alertWebhookUrl })));
  const promConfig = join(stateDir, 'prometheus', 'prometheus.yml');
  const promCfg = nativePrometheusConfig({ ports, targetsDir, scrapeInterval, alertmanager: withAlertmanager });
  writeFileSync(promConfig, stringifyYaml(scale ? scalePrometheusConfig(promCfg, ports) : promCfg));

  const urls = scale ? { ...backendUrls(stackUrls(ports)), ...scaleUrls(ports) } : { ...stackUrls(ports), ...servers?.urls };
  const collectors = scale
    ? scaleServices({
        bins,
        ports,
        stateDir,
        jaegerOtlpGrpc: `${HOST}:${ports.jaegerOtlpGrpc}`,
        agentEnv: opts.collectorEnv,
        gatewayEnv: { ...opts.collectorEnv, ...opts.gatewayEnv },
      })
    : {
        collector: {
          cmd: bins.collector,
          args: [`--config=${join(repoRoot, 'collector', 'otelcol-config.yaml')}`, ...(servers?.collectorArgs ?? [])],
          env: { ...collectorEnv(ports), ...servers?.collectorEnv, ...(opts.collectorEnv ?? {}) },
          health: urls.collectorHealth,
        },
      };
  const services = {
    jaeger: {
      cmd: bins.jaeger,
      args: [`--config=${join(repoRoot, 'collector', 'jaeger', 'config.yaml')}`],
      env: jaegerEnv(ports),
      health: `http://${HOST}:${ports.jaegerHealth}/status`,
    },
    ...servers?.services,
    ...collectors,
    prometheus: {
      cmd: bins.prometheus,
      args: [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(stateDir, 'prometheus', 'data')}`,
        `--web.listen-address=${HOST}:${ports.prometheus}`,
        '--web.enable-lifecycle',
        // OTLP metrics pushed straight to Prometheus (urls.prometheusOtlp), translated as prometheus.yml's otlp: says.
        '--web.enable-otlp-receiver',
        // The scale topology's collectors write metrics here, as to a central store.
        ...(scale ? ['--web.enable-remote-write-receiver'] : []),
        '--storage.tsdb.retention.time=2d',
      ],
      env: {},
      health: `${urls.prometheus}/-/ready`,
    },
    ...(withAlertmanager
      ? {
          alertmanager: {
            cmd: bins.alertmanager,
            args: [
              `--config.file=${amConfig}`,
              `--storage.path=${join(stateDir, 'alertmanager', 'data')}`,
              `--web.listen-address=${HOST}:${ports.alertmanager}`,
              // A single local instance: no gossip port to clash with other stacks.
              '--cluster.listen-address=',
            ],
            env: {},
            health: `${urls.alertmanager}/-/ready`,
          },
        }
      : {}),
  };

  const children = new Map();
  const identities = new Map();
  const killAllSync = () => {
    for (const child of children.values()) {
      if (child.exitCode === null) {
        try {
          child.kill('SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  };
  if (!detached) process.on('exit', killAllSync);

  async function startService(name) {
    const svc = services[name];
    const logFile = join(stateDir, 'logs', `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(svc.cmd, svc.args, {
      cwd: stateDir,
      env: { ...process.env, ...svc.env },
      stdio: ['ignore', fd, fd],
      detached,
    });
    closeSync(fd);
    child.on('error', () => {});
    if (detached) child.unref();
    children.set(name, child);
    identities.set(name, processIdentity(child.pid));
    writePidFile(join(stateDir, 'pids', `${name}.pid`), child.pid);
    await waitHealthy(name, svc.health, child, logFile, healthTimeoutMs);
  }

  async function stopService(name) {
    const child = children.get(name);
    if (!child) return;
    children.delete(name);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      await stopPid(child.pid, 10_000, identities.get(name));
      await exited;
    }
    rmSync(join(stateDir, 'pids', `${name}.pid`), { force: true });
  }

  // Prometheus before the scale topology's collectors: they write to it from their first batch.
  const order = scale
    ? ['jaeger', ...(withAlertmanager ? ['alertmanager'] : []), 'prometheus', ...Object.keys(collectors)]
    : ['jaeger', ...Object.keys(servers?.services ?? {}), 'collector', ...(withAlertmanager ? ['alertmanager'] : []), 'prometheus'];
  try {
    for (const name of order) await startService(name);
  } catch (err) {
    for (const name of [...order].reverse()) await stopService(name);
    throw err;
  }

  const info = {
    stateDir,
    topology,
    ports,
    urls,
    order,
    health: Object.fromEntries(order.map((name) => [name, services[name].health])),
    pids: Object.fromEntries([...children].map(([n, c]) => [n, c.pid])),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(join(stateDir, 'stack.json'), `${JSON.stringify(info, null, 2)}\n`);

  return {
    topology,
    ports,
    urls,
    stateDir,
    bins,
    services: order,
    logFile: (name) => join(stateDir, 'logs', `${name}.log`),
    async startService(name) {
      if (!(name in services)) throw new Error(`otelkit stack: no service ${JSON.stringify(name)} in this stack (${order.join(', ')})`);
      if (!children.has(name)) await startService(name);
    },
    stopService,
    /** SIGKILL, as a crash would end it: no shutdown, no flush of what it holds. */
    async killService(name) {
      const child = children.get(name);
      if (!child) return;
      children.delete(name);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(join(stateDir, 'pids', `${name}.pid`), { force: true });
    },
    async stopCollector() {
      await stopService('collector');
    },
    async startCollector() {
      if (!children.has('collector')) await startService('collector');
    },
    setAppTargets(targets) {
      writeAppTargets(join(targetsDir, 'app.yml'), targets);
    },
    async stop() {
      for (const name of [...order].reverse()) await stopService(name);
      if (!detached) process.off('exit', killAllSync);
      rmSync(join(stateDir, 'stack.json'), { force: true });
    },
  };
}

/**
 * Stops a detached stack from its pid files (scripts/stack.mjs down). Returns the names it stopped. A pid that no
 * longer names the process the stack started (it exited and the pid was reused, the machine rebooted, or the file
 * predates identity records) is not signalled; `log` gets one line about it.
 */
export async function stopStackFromState(stateDir, log = (line) => process.stderr.write(`${line}\n`)) {
  const pidsDir = join(stateDir, 'pids');
  const stopped = [];
  const started = readStackInfo(stateDir)?.order ?? ['jaeger', 'collector', 'alertmanager', 'prometheus'];
  const others = existsSync(pidsDir) ? readdirSync(pidsDir).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4)) : [];
  for (const name of [...new Set([...[...started].reverse(), ...others])]) {
    const file = join(pidsDir, `${name}.pid`);
    if (!existsSync(file)) continue;
    const record = readPidFile(file);
    const state = record === undefined ? 'unreadable' : compareProcess(record.pid, record.identity);
    if (state === 'same') {
      await stopPid(record.pid, 10_000, record.identity);
      stopped.push(name);
    } else if (state === 'other') {
      log(`stack: ${name}: pid ${record.pid} is not the process the stack started (${record.identity === undefined ? 'its pid file records no identity' : 'another process has that pid now'}); not signalled`);
    } else if (state === 'unreadable') {
      log(`stack: ${name}: ${file} is unreadable; not signalled`);
    }
    rmSync(file, { force: true });
  }
  rmSync(join(stateDir, 'stack.json'), { force: true });
  return stopped;
}

/** Health of each service of a stack described by stateDir/stack.json. */
function readStackInfo(stateDir) {
  const file = join(stateDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function stackStatus(stateDir) {
  const info = readStackInfo(stateDir);
  if (info === undefined) return undefined;
  const p = info.ports;
  // stack.json written before it recorded each service's health URL names the single topology's four.
  const checks = info.health ?? {
    collector: `http://${HOST}:${p.collectorHealth}/`,
    jaeger: `http://${HOST}:${p.jaegerHealth}/status`,
    prometheus: `http://${HOST}:${p.prometheus}/-/ready`,
    alertmanager: `http://${HOST}:${p.alertmanager}/-/ready`,
  };
  const health = {};
  for (const [name, url] of Object.entries(checks)) {
    if (!(name in info.pids)) continue;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      health[name] = res.ok ? 'healthy' : `HTTP ${res.status}`;
    } catch (err) {
      health[name] = `down (${err.cause?.code ?? err.message})`;
    }
  }
  return { ...info, health };
}
