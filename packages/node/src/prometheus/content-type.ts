/** Content-Type of the Prometheus text format, as client_golang serves it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content-Type of OpenMetrics 1.0 text. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * True when the Accept header prefers OpenMetrics text (1.0.0, 0.0.1 or unversioned) over the Prometheus text
 * format, honouring q-values. Prometheus sends `application/openmetrics-text;version=1.0.0,...;q=0.75,text/plain;...`.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || !accept.includes('openmetrics')) return false;
  let om = -1;
  let text = -1;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim();
      if (key === 'q') q = Number(value);
      else if (key === 'version') version = value;
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    const t = type.toLowerCase();
    if (t === 'application/openmetrics-text' && (version === undefined || version === '1.0.0' || version === '0.0.1')) om = Math.max(om, q);
    else if (t === 'text/plain' || t === '*/*' || t === 'text/*') text = Math.max(text, q);
  }
  return om >= 0 && om >= text;
}

/**
 * True when the Accept-Encoding header allows gzip (Prometheus sends `gzip`): `gzip`, `x-gzip` or `*` with a q-value
 * above 0, unless gzip itself is refused with `q=0`.
 */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined || acceptEncoding === '') return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const coding of acceptEncoding.split(',')) {
    const [name = '', ...params] = coding.split(';').map((p) => p.trim().toLowerCase());
    let q = 1;
    for (const p of params) if (p.startsWith('q=')) q = Number(p.slice(2));
    if (!Number.isFinite(q)) q = 0;
    if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (name === '*') any = q;
  }
  return gzip !== undefined ? gzip > 0 : any !== undefined && any > 0;
}
