// TLS files for the OTLP exporters: read and checked once, while the configuration is resolved, so a missing path
// or a bad PEM is one line naming the variable at startup instead of a failed handshake a minute later. An exporter
// whose TLS setting is unusable is disabled: it never connects without the CA or client certificate it was given.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { describeError } from '../errors.js';
import { redactUrl } from '../redact-url.js';
import type { TlsFileRef } from './layer.js';
import type { ResolvedTls } from './resolved.js';

type Signal = 'metrics' | 'traces';
export type TlsKind = 'certificate' | 'clientKey' | 'clientCertificate';
type Kind = TlsKind;

/** One signal's OTLP exporter as far as TLS is concerned; refs are already picked by precedence. */
export interface TlsRequest {
  readonly signal: Signal;
  /** Whether this signal's OTLP exporter is on. */
  readonly enabled: boolean;
  readonly endpoint: string;
  readonly certificate?: TlsFileRef | undefined;
  readonly clientKey?: TlsFileRef | undefined;
  readonly clientCertificate?: TlsFileRef | undefined;
}

export interface TlsOutcome {
  readonly tls: Partial<Record<Signal, ResolvedTls>>;
  /** Signals whose OTLP exporter must be turned off. */
  readonly disabled: ReadonlySet<Signal>;
  readonly problems: readonly ConfigProblem[];
}

// A PEM bundle is kilobytes; the bound keeps a path to a device or a huge file from stalling startup.
const MAX_BYTES = 1024 * 1024;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

type Loaded = { readonly pem: string; readonly certs?: X509Certificate[]; readonly key?: KeyObject } | { readonly expected: string };

function readPem(path: string, cwd: string): { pem: string } | { expected: string } {
  const full = resolve(cwd, path);
  try {
    const stat = statSync(full);
    if (!stat.isFile()) return { expected: 'a path to a PEM file (this is not a regular file)' };
    if (stat.size > MAX_BYTES) return { expected: 'a PEM file of at most 1 MiB' };
    return { pem: readFileSync(full, 'utf8') };
  } catch (error) {
    // The error's code only (ENOENT, EACCES): its message would repeat the path the line already shows.
    const code = (error as { code?: unknown }).code;
    return { expected: `a readable PEM file (${typeof code === 'string' ? code : describeError(error)})` };
  }
}

// Parse errors are not quoted: OpenSSL's text can echo bytes of the input, and the input may be a private key.
function load(kind: Kind, ref: TlsFileRef, cwd: string): Loaded {
  const read = readPem(ref.path, cwd);
  if ('expected' in read) return read;
  const { pem } = read;
  if (kind === 'clientKey') {
    if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) return { expected: 'a PEM private key (-----BEGIN PRIVATE KEY-----)' };
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) return { expected: 'an unencrypted PEM private key' };
    try {
      return { pem, key: createPrivateKey(pem) };
    } catch {
      return { expected: 'a PEM private key that parses' };
    }
  }
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return { expected: 'a PEM certificate (-----BEGIN CERTIFICATE-----)' };
  try {
    return { pem, certs: blocks.map((b) => new X509Certificate(b)) };
  } catch {
    return { expected: 'PEM certificates that parse' };
  }
}

const isHttps = (endpoint: string): boolean => /^https:/i.test(endpoint);

function material(request: TlsRequest, loaded: (kind: Kind, ref: TlsFileRef) => Loaded): ResolvedTls {
  const out: Record<string, string> = {};
  const add = (kind: Kind, ref: TlsFileRef | undefined, file: string, field: string): void => {
    if (ref === undefined) return;
    out[file] = ref.path;
    const l = loaded(kind, ref);
    if ('pem' in l) Object.defineProperty(out, field, { value: l.pem, enumerable: false });
  };
  add('certificate', request.certificate, 'certificateFile', 'ca');
  add('clientKey', request.clientKey, 'clientKeyFile', 'key');
  add('clientCertificate', request.clientCertificate, 'clientCertificateFile', 'cert');
  return Object.freeze(out);
}

/**
 * Reads every configured TLS file once (a general variable shared by both signals is read and reported once),
 * checks the key against the client certificate, and says which exporters cannot run. One problem per source.
 * `stated` lists every source's TLS settings, overridden ones included.
 */
export function resolveTls(requests: readonly TlsRequest[], stated: readonly (readonly [Kind, TlsFileRef])[], cwd: string): TlsOutcome {
  const cache = new Map<string, Loaded>();
  const loaded = (kind: Kind, ref: TlsFileRef): Loaded => {
    const key = `${kind}\u0000${ref.source}\u0000${ref.path}`;
    let l = cache.get(key);
    if (l === undefined) cache.set(key, (l = load(kind, ref, cwd)));
    return l;
  };
  const issues = new Map<string, { value: string; expected: string; signals: Set<Signal> }>();
  const note = (ref: TlsFileRef, expected: string, signal: Signal): void => {
    const issue = issues.get(ref.source);
    if (issue === undefined) issues.set(ref.source, { value: ref.path, expected, signals: new Set([signal]) });
    else issue.signals.add(signal);
  };
  const tls: Partial<Record<Signal, ResolvedTls>> = {};
  const uses = new Map<string, { ref: TlsFileRef; requests: TlsRequest[] }>();

  for (const r of requests) {
    const refs: [Kind, TlsFileRef | undefined][] = [['certificate', r.certificate], ['clientKey', r.clientKey], ['clientCertificate', r.clientCertificate]];
    let usable = true;
    for (const [kind, ref] of refs) {
      if (ref === undefined) continue;
      const entry = uses.get(ref.source) ?? { ref, requests: [] };
      entry.requests.push(r);
      uses.set(ref.source, entry);
      const l = loaded(kind, ref);
      if ('expected' in l) {
        note(ref, l.expected, r.signal);
        usable = false;
      }
    }
    if (!usable) continue;
    if ((r.clientKey === undefined) !== (r.clientCertificate === undefined)) {
      const present = (r.clientKey ?? r.clientCertificate) as TlsFileRef;
      note(present, r.clientKey === undefined ? 'a client key set with it (mTLS needs the key and the certificate)' : 'a client certificate set with it (mTLS needs the key and the certificate)', r.signal);
      continue;
    }
    if (r.clientKey !== undefined && r.clientCertificate !== undefined) {
      const key = loaded('clientKey', r.clientKey);
      const cert = loaded('clientCertificate', r.clientCertificate);
      const leaf = 'certs' in cert ? cert.certs?.[0] : undefined;
      if ('key' in key && key.key !== undefined && leaf !== undefined && !leaf.checkPrivateKey(key.key)) {
        note(r.clientKey, `the private key of the certificate in ${r.clientCertificate.source}`, r.signal);
        continue;
      }
    }
    const any = r.certificate ?? r.clientKey ?? r.clientCertificate;
    if (any !== undefined && isHttps(r.endpoint)) tls[r.signal] = material(r, loaded);
  }

  // Settings that a higher-precedence one overrides are still checked, as every other env and file value is.
  for (const [kind, ref] of stated) {
    if (uses.has(ref.source) || issues.has(ref.source)) continue;
    const l = loaded(kind, ref);
    if ('expected' in l) issues.set(ref.source, { value: ref.path, expected: l.expected, signals: new Set() });
  }

  const problems: ConfigProblem[] = [];
  const disabled = new Set<Signal>();
  for (const [source, issue] of issues) {
    const affected = requests.filter((r) => issue.signals.has(r.signal) && r.enabled && isHttps(r.endpoint)).map((r) => r.signal);
    for (const s of affected) disabled.add(s);
    const fallback =
      affected.length === 0
        ? 'no enabled OTLP exporter with an https:// endpoint uses it'
        : `the OTLP ${affected.join(' and ')} exporter${affected.length > 1 ? 's are' : ' is'} disabled rather than connecting without it`;
    problems.push({ code: 'OTELKIT_E_TLS', source, value: issue.value, expected: issue.expected, fallback });
  }
  // A CA or client certificate next to an http:// endpoint is almost always a forgotten https://: say so once.
  for (const [source, { ref, requests: users }] of uses) {
    if (issues.has(source)) continue;
    const enabled = users.filter((r) => r.enabled);
    if (enabled.length === 0 || enabled.some((r) => isHttps(r.endpoint))) continue;
    const first = enabled[0] as TlsRequest;
    problems.push({
      code: 'OTELKIT_E_TLS',
      source,
      value: ref.path,
      expected: `an https:// endpoint to apply to (the ${first.signal} endpoint ${redactUrl(first.endpoint)} is plaintext)`,
      fallback: 'the file is not used',
    });
  }
  return { tls, disabled, problems };
}
