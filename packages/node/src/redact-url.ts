// Endpoints are printed in the preamble, export warnings, config problems and `otelkit doctor`. A URL may carry a
// credential in its userinfo (`https://user:token@host`) or its query (`?api_key=...`); neither is ever printed.
// The rest of the text is kept byte for byte, so a printed endpoint still matches what the user configured.

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;
const SECRET_PARAM = /([?&][^=&#]*(?:auth|token|key|secret|password|pass|credential|signature|sig)[^=&#]*=)[^&#]*/gi;

/** `https://user:token@host/?api_key=k` → `https://***@host/?api_key=***`; anything else unchanged. */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1***@').replace(SECRET_PARAM, '$1***');
}
