import { isIPv6 } from 'node:net';

/** A route's host, checked and in canonical form: lower case, no trailing dot, IPv6 without brackets. */
export type RouteHost =
  | { readonly kind: 'exact'; readonly host: string }
  /** `*.example.com` has suffix `example.com`: it matches `a.example.com` and `a.b.example.com`, not `example.com`. */
  | { readonly kind: 'wildcard'; readonly suffix: string };

export type ParsedRouteHost = RouteHost | { readonly kind: 'invalid'; readonly reason: string };

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Checks a host written in a route (x-berth or a Traefik rule) and returns its canonical form, or why it is
 * invalid. Accepts DNS names (underscores allowed, as compose service names have them), `*.` wildcards as the
 * first label only, IPv4 literals and IPv6 literals with or without brackets. No ports, schemes or paths.
 */
export function parseRouteHost(text: string): ParsedRouteHost {
  const quoted = JSON.stringify(text);
  if (text === '') return { kind: 'invalid', reason: 'empty host' };
  if (text.startsWith('[') || isIPv6(text)) {
    const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    if (!isIPv6(inner)) return { kind: 'invalid', reason: `invalid IPv6 host ${quoted}: expected a literal like [::1]` };
    return { kind: 'exact', host: canonicalIPv6(inner) };
  }
  if (/[/\s@]/.test(text)) return { kind: 'invalid', reason: `invalid host ${quoted}: give a bare host name (no scheme, path or spaces)` };
  if (text.includes(':')) return { kind: 'invalid', reason: `invalid host ${quoted}: a route host has no port (the proxy's ports are x-berth.proxy)` };
  const name = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  const wildcard = name.startsWith('*.');
  const rest = wildcard ? name.slice(2) : name;
  if (rest.includes('*')) {
    return { kind: 'invalid', reason: `invalid wildcard host ${quoted}: only the whole first label can be *, as in *.example.com` };
  }
  if (rest.length > 253 || !rest.split('.').every((label) => LABEL.test(label))) {
    return { kind: 'invalid', reason: `invalid host ${quoted}: expected a name like api.example.com or *.example.com` };
  }
  return wildcard ? { kind: 'wildcard', suffix: rest } : { kind: 'exact', host: rest };
}

/** How a RouteHost is printed in messages and used as an index key: `api.example.com`, `*.example.com`. */
export function routeHostKey(host: RouteHost): string {
  return host.kind === 'exact' ? host.host : `*.${host.suffix}`;
}

/**
 * The lookup key of a request's Host header (hot path: one scan, allocates only when it must change the text):
 * port removed, trailing dot removed, lower case; `[::1]:8080` → `::1` (canonical IPv6). Absent → `''`, which
 * only catch-all routes match.
 */
export function requestHostKey(header: string | undefined): string {
  if (header === undefined || header === '') return '';
  if (header.charCodeAt(0) === 0x5b /* [ */) return bracketedHostKey(header);
  let end = header.length;
  const colon = header.indexOf(':');
  // One colon separates the port; several mean a bare IPv6 literal (not valid in Host, but unambiguous).
  if (colon >= 0) {
    if (header.indexOf(':', colon + 1) < 0) end = colon;
    else return isIPv6(header) ? canonicalIPv6(header) : header.toLowerCase();
  }
  if (end > 0 && header.charCodeAt(end - 1) === 0x2e /* . */) end--;
  for (let i = 0; i < end; i++) {
    const c = header.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return header.slice(0, end).toLowerCase();
  }
  return end === header.length ? header : header.slice(0, end);
}

function bracketedHostKey(header: string): string {
  const close = header.indexOf(']');
  const inner = close < 0 ? header.slice(1) : header.slice(1, close);
  return isIPv6(inner) ? canonicalIPv6(inner) : inner.toLowerCase();
}

/** `0:0::1` and `::1` are the same address; the URL parser prints the RFC 5952 form. */
function canonicalIPv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase(); // a zone id (`fe80::1%eth0`) that URL does not take: compared as written
  }
}
