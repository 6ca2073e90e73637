import { createHash, timingSafeEqual } from 'node:crypto';

/** An opt-in credential for the pull endpoint. */
export type PrometheusAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Returns a checker for an `Authorization` header. Secrets are compared as SHA-256 digests with
 * `timingSafeEqual`, so neither their content nor their length leaks through response timing.
 */
export function createAuthChecker(auth: PrometheusAuth): { check(header: string | undefined): boolean; readonly challenge: string } {
  const scheme = auth.type === 'basic' ? 'basic' : 'bearer';
  const expected = digest(auth.type === 'basic' ? `${auth.username}:${auth.password}` : auth.token);
  return {
    challenge: auth.type === 'basic' ? 'Basic realm="otelkit", charset="UTF-8"' : 'Bearer realm="otelkit"',
    check(header: string | undefined): boolean {
      if (header === undefined) return false;
      const space = header.indexOf(' ');
      if (space < 0 || header.slice(0, space).toLowerCase() !== scheme) return false;
      const credential = header.slice(space + 1).trim();
      const presented = scheme === 'basic' ? Buffer.from(credential, 'base64').toString('utf8') : credential;
      return timingSafeEqual(digest(presented), expected);
    },
  };
}
