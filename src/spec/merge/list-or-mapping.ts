import { splitExtraHost } from '../canonical/extra-hosts.js';
import { isMapping, type Mapping } from './plain-data.js';

/**
 * Compose lets several keys be written either as a mapping or as a list (`KEY=value`, `name`, `host:ip`). Before two
 * such values are merged they are brought to the same form; these are the conversions.
 */

/** `['A=1', 'B']` → `{A: '1', B: bareValue}`; a mapping is returned as it is. */
export function keyedMapping(value: unknown, bareValue: null | ''): Mapping {
  if (isMapping(value)) return value;
  const out: Mapping = {};
  for (const entry of asList(value)) {
    if (typeof entry !== 'string' && typeof entry !== 'number') continue;
    const text = String(entry);
    const eq = text.indexOf('=');
    if (eq < 0) out[text] = bareValue;
    else out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

/** `['db', 'cache']` → `{db: listValue(), cache: listValue()}`; a mapping is returned as it is. */
export function namesMapping(value: unknown, listValue: () => unknown): Mapping {
  if (isMapping(value)) return value;
  const out: Mapping = {};
  for (const entry of asList(value)) if (typeof entry === 'string') out[entry] = listValue();
  return out;
}

/** A string-or-list as a list; `null` is the empty list. */
export function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The union of two `extra_hosts` values: a host keeps the addresses of the base, then gains the overlay's new ones.
 * Lists stay lists (an exact duplicate entry is dropped); otherwise the result is a mapping host → address(es).
 */
export function unionHosts(base: unknown, overlay: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(overlay)) {
    return [...base, ...overlay.filter((entry) => !base.includes(entry))];
  }
  const merged = hostAddresses(base);
  for (const [host, addresses] of hostAddresses(overlay)) {
    const known = merged.get(host) ?? [];
    merged.set(host, [...known, ...addresses.filter((address) => !known.includes(address))]);
  }
  const out: Mapping = {};
  for (const [host, addresses] of merged) out[host] = addresses.length === 1 ? addresses[0] : addresses;
  return out;
}

function hostAddresses(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (host: string, address: unknown): void => {
    const list = out.get(host) ?? [];
    for (const item of asList(address)) if (!list.includes(String(item))) list.push(String(item));
    out.set(host, list);
  };
  if (isMapping(value)) {
    for (const [host, address] of Object.entries(value)) add(host, address);
    return out;
  }
  for (const entry of asList(value)) {
    const pair = typeof entry === 'string' ? splitExtraHost(entry) : undefined;
    if (pair) add(...pair);
  }
  return out;
}
