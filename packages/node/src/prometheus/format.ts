// Number and string formatting of the Prometheus text formats, byte for byte as Go's client_golang/expfmt writes
// them (the collector's prometheus exporter uses it), so the two export paths produce identical text.

/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 64)` with expfmt's special cases: shortest round-trip digits, exponent
 * notation when the decimal exponent is < -4 or >= 6 (`1e+06`, `1.5e-05`), `+Inf`, `-Inf`, `NaN`.
 */
export function formatFloat(f: number): string {
  if (Number.isInteger(f) && f < 1e6 && f > -1e6) return f === 0 ? '0' : String(f);
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const e = f.toExponential(); // shortest round-trip mantissa, e.g. "1.2345e+6" or "5e-7"
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp >= -4 && exp < 6) return String(f); // JS uses plain notation in this range too, with the same digits
  const mantissa = e.slice(0, at);
  const abs = exp < 0 ? -exp : exp;
  return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** expfmt's `writeOpenMetricsFloat`: like {@link formatFloat} but always with a `.` or an exponent (`1.0`, `5.0`). */
export function formatOpenMetricsFloat(f: number): string {
  const s = formatFloat(f);
  if (!Number.isFinite(f)) return s;
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

const NEEDS_LABEL_ESCAPE = /[\\"\n]/;

/** Label values: `\` → `\\`, newline → `\n`, `"` → `\"`. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_LABEL_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text: `\` → `\\` and newline → `\n`; OpenMetrics also escapes `"`. */
export function escapeHelp(help: string, openMetrics: boolean): string {
  let out = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (openMetrics) out = out.replace(/"/g, '\\"');
  return out;
}

/**
 * An attribute value as the collector's `pcommon.Value.AsString()` renders it: strings as is, numbers as ES6
 * `String(n)`, booleans as `true`/`false`, arrays as JSON.
 */
export function attributeValueString(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '';
    default:
      return value === null ? '' : JSON.stringify(value);
  }
}
