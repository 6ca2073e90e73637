// A throwaway PKI for TLS tests, made with the openssl CLI (node can parse X.509 but not issue it): a CA, a server
// certificate for 127.0.0.1 and localhost, a client certificate for mTLS, and a second CA that trusts neither.
// EC P-256 keys, valid for two days, written to `dir`; nothing here is secret beyond the test that made it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here: verifying the server with it must fail. */
  readonly otherCa: string;
  /** An encrypted copy of the client key (passphrase "secret"). */
  readonly encryptedClientKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newCa(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=otelkit test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

function issue(dir: string, name: string, usage: 'serverAuth' | 'clientAuth'): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'otelkit-test-client'}`], dir);
  writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n${usage === 'serverAuth' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' : ''}`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
}

/** Creates the PKI in `dir` (which must exist) and returns absolute paths. */
export function createTestPki(dir: string): TestPki {
  newCa(dir, 'ca');
  newCa(dir, 'other-ca');
  issue(dir, 'server', 'serverAuth');
  issue(dir, 'client', 'clientAuth');
  openssl(['pkcs8', '-topk8', '-in', 'client.key', '-out', 'client-encrypted.key', '-passout', 'pass:secret'], dir);
  return {
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    otherCa: join(dir, 'other-ca.pem'),
    encryptedClientKey: join(dir, 'client-encrypted.key'),
  };
}
