/*
 * Header rewriting on the way up and down. Hop-by-hop headers (RFC 9110 §7.6.1) and the ones named in
 * `Connection` are dropped; the edge sets X-Forwarded-For/Proto/Host, X-Real-IP and X-Request-Id.
 */
import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { ProxyRequest } from './proxy-context.js';

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // Answered by this proxy already (node:http sends `100 Continue` itself).
  'expect',
]);

/** Set by the edge, whatever the client sent. */
export const EDGE_SET: ReadonlySet<string> = new Set(['x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'x-request-id']);

const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

/** `given` when it is a sane request id, otherwise a new UUID. */
export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Extra tokens of `Connection` (`Connection: close, x-foo` drops `x-foo`); undefined in the usual case. */
export function connectionTokens(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive') return undefined;
  const set = new Set<string>();
  for (const t of value.split(',')) {
    const token = t.trim().toLowerCase();
    if (token !== '') set.add(token);
  }
  return set;
}

export interface ForwardedInfo {
  readonly clientIp: string;
  readonly proto: 'http' | 'https';
  readonly requestId: string;
}

/**
 * The headers sent upstream: the client's minus hop-by-hop ones, `Host` kept as the client sent it, plus the
 * X-Forwarded-* family. With `upgrade`, the `Connection: upgrade` / `Upgrade` pair is passed on.
 */
export function upstreamRequestHeaders(req: ProxyRequest, info: ForwardedInfo, upgrade = false): OutgoingHttpHeaders {
  const src = req.headers;
  const extra = connectionTokens(typeof src.connection === 'string' ? src.connection : undefined);
  const out: OutgoingHttpHeaders = {};
  for (const name in src) {
    if (HOP_BY_HOP.has(name) || EDGE_SET.has(name) || (extra !== undefined && extra.has(name))) continue;
    out[name] = src[name];
  }
  const xff = src['x-forwarded-for'];
  out['x-forwarded-for'] = xff === undefined || xff === '' ? info.clientIp : `${xff}, ${info.clientIp}`;
  out['x-forwarded-proto'] = info.proto;
  if (src.host !== undefined) out['x-forwarded-host'] = src.host;
  out['x-real-ip'] = info.clientIp;
  out['x-request-id'] = info.requestId;
  if (upgrade && src.upgrade !== undefined) {
    out.connection = 'upgrade';
    out.upgrade = src.upgrade;
  }
  return out;
}

/** True when the comma-separated `list` has `token` (case-insensitive). */
export function hasToken(list: string | undefined, token: string): boolean {
  if (list === undefined) return false;
  if (list.indexOf(',') < 0) {
    // One token (the usual `keep-alive`, `close`, `upgrade`): compare without splitting.
    const item = list.length === token.length ? list : list.trim();
    return item.length === token.length && item.toLowerCase() === token;
  }
  for (const item of list.split(',')) if (item.trim().toLowerCase() === token) return true;
  return false;
}
