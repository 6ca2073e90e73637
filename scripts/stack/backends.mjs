// Installs the real backends the local stack runs: the OpenTelemetry Collector (built with the Collector Builder
// from collector/builder-config.yaml), Jaeger v2, Prometheus 3 + promtool and Alertmanager + amtool (each built from
// its Go module, at the versions collector/compose.yaml pins), redis-server (a Debian package unpacked with dpkg -x,
// so no system service starts) and Debian's docker-compose (used only to validate collector/compose.yaml).
// Everything lands in the otelkit cache, keyed by manifest hash or version, so a second run reuses it. Plain ESM with
// no compile step: `node scripts/stack.mjs build` runs it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const builderManifest = join(repoRoot, 'collector', 'builder-config.yaml');

// Jaeger v2's module path has no /v2, so the proxy refuses v2.x.y tags. Jaeger tags each release twice on the same
// commit (its CHANGELOG: "v1.76.0 / v2.13.0 (2025-12-03)"), and v1.76.0 is the newest version the Go proxy serves here: `go install` refuses it
// because its go.mod has a replace directive, but building inside the downloaded module honours the replace.
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';
export const JAEGER_MODULE_VERSION = 'v1.76.0';
export const JAEGER_V2_VERSION = '2.13.0';

// Prometheus publishes its Go module as v0.3MM.P for Prometheus 3.MM.P (the module's VERSION file says 3.16.0).
export const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';
export const PROMETHEUS_MODULE_VERSION = 'v0.316.0';
export const PROMETHEUS_VERSION = '3.16.0';
export const ALERTMANAGER_MODULE = 'github.com/prometheus/alertmanager';
export const ALERTMANAGER_VERSION = '0.35.0';

/** Thrown when a backend cannot be installed; the message says which backend and why. */
export class BackendUnavailableError extends Error {
  constructor(backend, reason, detail = '') {
    super(`otelkit stack: ${backend} is not available: ${reason}${detail ? `\n${detail}` : ''}`);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
  }
}

export function cacheDir() {
  return process.env.OTELKIT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'otelkit');
}

function log(msg) {
  process.stderr.write(`stack: ${msg}\n`);
}

function sizeMiB(file) {
  return (statSync(file).size / 1024 / 1024).toFixed(1);
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// One build per cache entry even when the CLI and a test (or two engineers' tests) ask at the same time.
async function withLock(target, fn) {
  const lock = `${target}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // The owner has created the directory but not yet written its pid.
      }
      if (owner && !pidAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function run(cmd, args, { env = {}, cwd, logFile }) {
  return new Promise((resolvePromise) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`$ ${cmd} ${args.join(' ')}\n`);
    let child;
    try {
      child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      out.end();
      resolvePromise({ code: -1, error: err });
      return;
    }
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', (error) => {
      out.end();
      resolvePromise({ code: -1, error });
    });
    child.on('close', (code) => {
      out.end(() => resolvePromise({ code: code ?? -1 }));
    });
  });
}

function goVersion() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim();
}

function requireGo(backend) {
  const version = goVersion();
  if (!version) {
    throw new BackendUnavailableError(backend, 'the Go toolchain (`go`) is not on PATH; it is needed to build it from source',
      'Install Go >= 1.26.7 (Prometheus 3.16 needs it; https://go.dev/dl/) or run the stack with Docker: docker compose -f collector/compose.yaml up');
  }
  return version;
}

async function buildStep(backend, logFile, cmd, args, opts) {
  const r = await run(cmd, args, { ...opts, logFile });
  if (r.code !== 0) {
    throw new BackendUnavailableError(backend, `\`${cmd} ${args.join(' ')}\` failed (${r.error ? r.error.message : `exit ${r.code}`}); log: ${logFile}`, tail(logFile));
  }
}

/** The collector's version (dist.version of the builder manifest) and the manifest's content hash. */
export function collectorManifestInfo() {
  const text = readFileSync(builderManifest, 'utf8');
  const manifest = parseYaml(text);
  const version = String(manifest.dist.version);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { manifest, version, hash, binaryName: manifest.dist.name };
}

/** Builds (once) the collector described by collector/builder-config.yaml; returns the binary's path. */
export async function ensureCollector() {
  const { manifest, version, hash, binaryName } = collectorManifestInfo();
  const dir = join(cacheDir(), `otelcol-${version}-${hash}`);
  const bin = join(dir, binaryName);
  if (existsSync(bin)) return bin;
  return withLock(dir, async () => {
    if (existsSync(bin)) return bin;
    requireGo('the OpenTelemetry Collector');
    mkdirSync(cacheDir(), { recursive: true });
    const logFile = join(cacheDir(), `build-otelcol-${version}-${hash}.log`);
    writeFileSync(logFile, '');
    const started = performance.now();
    const builderDir = join(cacheDir(), `ocb-v${version}`);
    const builder = join(builderDir, 'builder');
    if (!existsSync(builder)) {
      log(`installing the Collector Builder v${version} (log: ${logFile})`);
      await buildStep('the OpenTelemetry Collector', logFile, 'go',
        ['install', `go.opentelemetry.io/collector/cmd/builder@v${version}`], { env: { GOBIN: builderDir } });
    }
    // The manifest's output_path is relative to the clone; build in a scratch directory of the cache instead.
    const work = join(cacheDir(), `otelcol-${version}-${hash}.work`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const workManifest = join(work, 'builder-config.yaml');
    writeFileSync(workManifest, stringifyYaml({ ...manifest, dist: { ...manifest.dist, output_path: join(work, 'src') } }));
    log(`building the OpenTelemetry Collector ${version} from collector/builder-config.yaml (a few minutes on 2 cores)`);
    await buildStep('the OpenTelemetry Collector', logFile, builder, [`--config=${workManifest}`], { env: { CGO_ENABLED: '0' } });
    mkdirSync(dir, { recursive: true });
    renameSync(join(work, 'src', binaryName), bin);
    rmSync(work, { recursive: true, force: true });
    log(`built the OpenTelemetry Collector in ${((performance.now() - started) / 1000).toFixed(0)} s: ${bin} (${sizeMiB(bin)} MiB)`);
    return bin;
  });
}

/**
 * Builds (once) the `packages` of a Go module at a version into `<cache>/<key>/`, from a writable copy of the
 * downloaded module: `go install mod@version` refuses modules with replace directives (Jaeger) and cannot add files
 * a module leaves out (Alertmanager's UI). `prepare(dir)` may change the copy first. Returns each binary's path.
 */
async function ensureGoModuleBuild({ backend, key, module, moduleVersion, packages, tags = [], ldflags = [], prepare }) {
  const dir = join(cacheDir(), key);
  const bins = Object.fromEntries(packages.map((p) => [p.split('/').at(-1), join(dir, p.split('/').at(-1))]));
  const built = () => Object.values(bins).every((b) => existsSync(b));
  if (built()) return bins;
  return withLock(dir, async () => {
    if (built()) return bins;
    requireGo(backend);
    mkdirSync(cacheDir(), { recursive: true });
    const logFile = join(cacheDir(), `build-${key}.log`);
    writeFileSync(logFile, '');
    const started = performance.now();
    log(`building ${backend} (module ${module}@${moduleVersion}; a few minutes on 2 cores; log: ${logFile})`);
    const dl = spawnSync('go', ['mod', 'download', '-json', `${module}@${moduleVersion}`], { encoding: 'utf8' });
    let moduleDir;
    try {
      moduleDir = JSON.parse(dl.stdout).Dir;
    } catch {
      moduleDir = undefined;
    }
    if (dl.status !== 0 || !moduleDir) {
      throw new BackendUnavailableError(backend, `\`go mod download ${module}@${moduleVersion}\` failed`, `${dl.stdout ?? ''}${dl.stderr ?? ''}`.trim());
    }
    // The module cache is read-only and `go build` of the main module may update go.sum: build from a copy.
    const work = join(cacheDir(), `${key}.work`);
    rmSync(work, { recursive: true, force: true });
    cpSync(moduleDir, work, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', work]);
    prepare?.(work);
    const out = join(work, '.bin');
    const flags = [...(tags.length > 0 ? ['-tags', tags.join(',')] : []), ...(ldflags.length > 0 ? ['-ldflags', ldflags.join(' ')] : [])];
    // GOWORK=off: a go.work shipped inside the module must not pull in its sibling modules.
    await buildStep(backend, logFile, 'go', ['build', '-trimpath', ...flags, '-o', `${out}/`, ...packages], { cwd: work, env: { CGO_ENABLED: '0', GOWORK: 'off' } });
    mkdirSync(dir, { recursive: true });
    for (const [name, bin] of Object.entries(bins)) renameSync(join(out, name), bin);
    rmSync(work, { recursive: true, force: true });
    const sizes = Object.entries(bins).map(([name, bin]) => `${name} ${sizeMiB(bin)} MiB`).join(', ');
    log(`built ${backend} in ${((performance.now() - started) / 1000).toFixed(0)} s: ${dir} (${sizes})`);
    return bins;
  });
}

/** Builds (once) Jaeger v2 from its Go module; returns the binary's path. */
export async function ensureJaeger() {
  const { jaeger } = await ensureGoModuleBuild({
    backend: 'Jaeger v2',
    key: `jaeger-${JAEGER_V2_VERSION}`,
    module: JAEGER_MODULE,
    moduleVersion: JAEGER_MODULE_VERSION,
    packages: ['./cmd/jaeger'],
    ldflags: [`-X ${JAEGER_MODULE}/internal/version.latestVersion=v${JAEGER_V2_VERSION}`],
  });
  return jaeger;
}

const versionFlag = (version) => `-X github.com/prometheus/common/version.Version=${version}`;

/**
 * Prometheus 3 and promtool, built from the Go module (the tags of its release builds, `netgo`, without
 * `builtinassets`: the module ships no web UI assets, the HTTP API is complete without them). `remove_all_sd` leaves
 * out the cloud and Kubernetes service discoveries; static and file SD, which the stack uses, stay.
 * Returns `{ prometheus, promtool }` binary paths.
 */
export async function ensurePrometheus() {
  const { prometheus, promtool } = await ensureGoModuleBuild({
    backend: 'Prometheus',
    key: `prometheus-${PROMETHEUS_VERSION}`,
    module: PROMETHEUS_MODULE,
    moduleVersion: PROMETHEUS_MODULE_VERSION,
    packages: ['./cmd/prometheus', './cmd/promtool'],
    tags: ['netgo', 'remove_all_sd'],
    ldflags: [versionFlag(PROMETHEUS_VERSION)],
  });
  return { prometheus, promtool };
}

// Alertmanager embeds its web UI from ui/app/dist, which the module leaves out (it is built by npm and elm at
// release time): a one-page stand-in lets it compile. The API (/api/v2) and the notification templates, which are
// embedded from the module itself, are complete.
function alertmanagerUiStandIn(work) {
  for (const ui of ['elm', 'mantine']) {
    const dist = join(work, 'ui', 'app', 'dist', ui);
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Alertmanager</title><p>Built without the web UI: the API is at <a href="api/v2/status">api/v2</a>.</p>\n');
  }
}

/** Alertmanager and amtool, built from the Go module; returns `{ alertmanager, amtool }` binary paths. */
export async function ensureAlertmanager() {
  const { alertmanager, amtool } = await ensureGoModuleBuild({
    backend: 'Alertmanager',
    key: `alertmanager-${ALERTMANAGER_VERSION}`,
    module: ALERTMANAGER_MODULE,
    moduleVersion: `v${ALERTMANAGER_VERSION}`,
    packages: ['./cmd/alertmanager', './cmd/amtool'],
    tags: ['netgo'],
    ldflags: [versionFlag(ALERTMANAGER_VERSION)],
    prepare: alertmanagerUiStandIn,
  });
  return { alertmanager, amtool };
}

function aptCandidate(pkg) {
  const r = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const m = /Candidate:\s*(\S+)/.exec(r.stdout);
  return m && m[1] !== '(none)' ? m[1] : undefined;
}

// A Debian package unpacked into the cache (not installed: no service, no root needed once cached). `binaries` are
// names under usr/bin, or paths inside the package (a library's `usr/lib/<triplet>/libx.so.1`).
async function ensureDebian(backend, pkg, binaries) {
  const prefix = `debian-${pkg}-`;
  const existing = existsSync(cacheDir())
    ? readdirSync(cacheDir()).filter((d) => d.startsWith(prefix) && !d.endsWith('.lock')).sort()
    : [];
  const inPackage = (b) => (b.includes('/') ? b : join('usr', 'bin', b));
  const found = (d) => binaries.every((b) => existsSync(join(cacheDir(), d, inPackage(b))));
  let candidate = aptCandidate(pkg);
  if (!candidate && !existing.some(found) && process.getuid?.() === 0) {
    // A fresh machine may have empty apt lists.
    log('apt knows no candidate for ' + pkg + '; running apt-get update');
    spawnSync('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=300'], { stdio: 'ignore' });
    candidate = aptCandidate(pkg);
  }
  const dirName = candidate ? `${prefix}${candidate.replace(/[^A-Za-z0-9.+-]/g, '_')}` : existing.filter(found).at(-1);
  if (!dirName) {
    throw new BackendUnavailableError(backend, `the Debian package \`${pkg}\` is not known to apt here (apt-cache policy ${pkg} gave no candidate)`,
      'On Debian/Ubuntu run `apt-get update` first; elsewhere install it with the system\'s package manager.');
  }
  const dir = join(cacheDir(), dirName);
  const paths = Object.fromEntries(binaries.map((b) => [b, join(dir, inPackage(b))]));
  if (found(dirName)) return paths;
  return withLock(dir, async () => {
    if (found(dirName)) return paths;
    const logFile = join(cacheDir(), `install-${pkg}.log`);
    writeFileSync(logFile, '');
    const dl = join(tmpdir(), `otelkit-deb-${pkg}-${process.pid}`);
    rmSync(dl, { recursive: true, force: true });
    mkdirSync(dl, { recursive: true });
    log(`downloading the Debian package ${pkg} ${candidate}`);
    await buildStep(backend, logFile, 'apt-get', ['download', `${pkg}=${candidate}`], { cwd: dl });
    const deb = readdirSync(dl).find((f) => f.endsWith('.deb'));
    if (!deb) throw new BackendUnavailableError(backend, `apt-get download ${pkg} produced no .deb`, tail(logFile));
    const staging = `${dir}.work`;
    rmSync(staging, { recursive: true, force: true });
    await buildStep(backend, logFile, 'dpkg', ['-x', join(dl, deb), staging], {});
    rmSync(dl, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    for (const b of binaries) {
      if (!existsSync(paths[b])) throw new BackendUnavailableError(backend, `${pkg} ${candidate} has no ${inPackage(b)}`);
    }
    log(`unpacked ${pkg} ${candidate} into ${dir}`);
    return paths;
  });
}

/**
 * redis-server from Debian, unpacked into the cache: the binary is redis-tools' `redis-check-rdb`, which runs as the
 * server when started under the name `redis-server` (Debian's redis-server package holds only that symlink and the
 * service files). The two libraries it links that a minimal system may lack come from their own packages, and are
 * found through LD_LIBRARY_PATH. Returns how to spawn it: `{ command, argv0, env }`.
 */
export async function ensureRedisServer() {
  const { 'redis-check-rdb': command } = await ensureDebian('Redis', 'redis-tools', ['redis-check-rdb']);
  const ldd = spawnSync('ldd', [command], { encoding: 'utf8' });
  const missing = new Set([...`${ldd.stdout ?? ''}`.matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]));
  const triplet = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const libraryDirs = [];
  for (const [library, pkg] of [['libjemalloc.so.2', 'libjemalloc2'], ['liblzf.so.1', 'liblzf1']]) {
    if (!missing.delete(library)) continue;
    const file = `usr/lib/${triplet}/${library}`;
    libraryDirs.push(dirname((await ensureDebian('Redis', pkg, [file]))[file]));
  }
  if (missing.size > 0) throw new BackendUnavailableError('Redis', `redis-server needs libraries this system lacks: ${[...missing].join(', ')}`);
  const env = libraryDirs.length === 0 ? {} : { LD_LIBRARY_PATH: [...libraryDirs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  return { command, argv0: 'redis-server', env };
}

/**
 * The server-side exporters the collector's prometheus receiver scrapes when the stack runs with its server receivers
 * (collector/receivers.yaml): Debian's PostgreSQL exporter and node exporter (host metrics), unpacked into the cache.
 * The collector's own postgresql and hostmetrics receivers cannot be built from the Go module proxy these machines
 * use (collector/servers.md). Returns `{ postgresExporter, nodeExporter }` binary paths.
 */
export async function ensureServerExporters() {
  const { 'prometheus-postgres-exporter': postgresExporter } = await ensureDebian('the PostgreSQL exporter', 'prometheus-postgres-exporter', ['prometheus-postgres-exporter']);
  const { 'prometheus-node-exporter': nodeExporter } = await ensureDebian('the node exporter', 'prometheus-node-exporter', ['prometheus-node-exporter']);
  return { postgresExporter, nodeExporter };
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** docker-compose (v1, Debian) for `config -q` validation; installs it with apt when running as root. */
export async function ensureDockerCompose() {
  const existing = which('docker-compose');
  if (existing) return existing;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    throw new BackendUnavailableError('docker-compose', 'it is not on PATH and apt-get cannot install it without root',
      'Install it with `sudo apt-get install --no-install-recommends docker-compose` (or use `docker compose`).');
  }
  mkdirSync(cacheDir(), { recursive: true });
  const logFile = join(cacheDir(), 'install-docker-compose.log');
  writeFileSync(logFile, '');
  log('installing Debian docker-compose (apt-get install --no-install-recommends docker-compose)');
  await buildStep('docker-compose', logFile, 'apt-get',
    ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', 'docker-compose'],
    { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  const installed = which('docker-compose');
  if (!installed) throw new BackendUnavailableError('docker-compose', 'apt-get reported success but docker-compose is not on PATH', tail(logFile));
  return installed;
}

/** Every binary the native stack runs. Builds run one after another: two Go builds at once starve a 2-core box. */
export async function ensureAll() {
  const collector = await ensureCollector();
  const jaeger = await ensureJaeger();
  const { prometheus, promtool } = await ensurePrometheus();
  const { alertmanager, amtool } = await ensureAlertmanager();
  return { collector, jaeger, prometheus, promtool, alertmanager, amtool };
}
