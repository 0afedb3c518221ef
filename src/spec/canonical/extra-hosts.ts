import { isMarker, quote, scalarText, type CanonicalTransform, type Dict } from './transform.js';

/**
 * `services.*.extra_hosts` (and `build.extra_hosts`): `["db:10.0.0.2", "api=10.0.0.3"]` → `{db: "10.0.0.2",
 * api: "10.0.0.3"}`. `=` is tried first, then the first `:` (so `"v6:::1"` maps `v6` to `::1`); a host listed twice
 * keeps every address, as a list.
 */
export const canonicalExtraHosts: CanonicalTransform = (value, path, ctx) => {
  if (!Array.isArray(value)) return value;
  const out: Dict = {};
  value.forEach((entry, index) => {
    if (isMarker(entry)) return;
    const text = scalarText(entry);
    const cut = text === undefined ? -1 : text.includes('=') ? text.indexOf('=') : text.indexOf(':');
    if (text === undefined || cut <= 0) {
      ctx.error('SPEC_TYPE', [...path, index], `expected "HOST=IP" or "HOST:IP", got ${quote(entry)}`, {
        hint: 'write each entry as HOST=IP (e.g. "db=10.0.0.2"), or use a mapping (db: 10.0.0.2)',
      });
      return;
    }
    add(out, text.slice(0, cut), text.slice(cut + 1));
  });
  return out;
};

function add(out: Dict, host: string, ip: string): void {
  const existing = out[host];
  if (existing === undefined) out[host] = ip;
  else out[host] = Array.isArray(existing) ? [...(existing as unknown[]), ip] : [existing, ip];
}
