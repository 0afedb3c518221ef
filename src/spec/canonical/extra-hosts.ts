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
    const pair = text === undefined ? undefined : splitExtraHost(text);
    if (!pair) {
      ctx.error('SPEC_TYPE', [...path, index], `expected "HOST=IP" or "HOST:IP", got ${quote(entry)}`, {
        hint: 'write each entry as HOST=IP (e.g. "db=10.0.0.2"), or use a mapping (db: 10.0.0.2)',
      });
      return;
    }
    add(out, pair[0], pair[1]);
  });
  return out;
};

/**
 * `"db=10.0.0.2"` or the older `"db:10.0.0.2"` → `["db", "10.0.0.2"]`: `=` first, else the first `:`, so that an IPv6
 * address keeps its colons (`"v6:::1"` → `["v6", "::1"]`). `undefined` when there is no host before the separator.
 */
export function splitExtraHost(text: string): [host: string, address: string] | undefined {
  const cut = text.includes('=') ? text.indexOf('=') : text.indexOf(':');
  return cut > 0 ? [text.slice(0, cut), text.slice(cut + 1)] : undefined;
}

function add(out: Dict, host: string, ip: string): void {
  const existing = out[host];
  if (existing === undefined) out[host] = ip;
  else out[host] = Array.isArray(existing) ? [...(existing as unknown[]), ip] : [existing, ip];
}
