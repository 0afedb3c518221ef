/*
 * The heads the forwarder writes: the request head sent upstream and the response head sent to the client,
 * serialized straight from the parsed heads (no header objects on the usual path). Hop-by-hop headers and the
 * ones named in `Connection` are dropped both ways; the edge adds X-Forwarded-*, X-Real-IP and X-Request-Id.
 */
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { RequestHead, ResponseHead } from '../http1/head.js';
import { headerValue } from '../http1/head.js';
import { connectionTokens, EDGE_SET, HOP_BY_HOP, type ForwardedInfo } from './headers.js';
import { headerLines, type OutgoingResponse } from './outgoing-response.js';
import type { ProxyContext, ResponseHeadersHook } from './proxy-context.js';

/** How the request body goes upstream: as the client framed it (length or chunked), or none. */
export type UpstreamBody = 'none' | 'length' | 'chunked';

export function upstreamRequestHead(
  head: RequestHead,
  path: string,
  info: ForwardedInfo,
  body: UpstreamBody,
  hostFallback: string,
): string {
  const { names, lowerNames, values } = head;
  const extra = connectionTokens(headerValue(head, 'connection'));
  let out = `${head.method} ${path} HTTP/1.1\r\n`;
  let forwardedFor: string | undefined;
  let host: string | undefined;
  for (let i = 0; i < lowerNames.length; i++) {
    const lower = lowerNames[i] as string;
    if (HOP_BY_HOP.has(lower) || EDGE_SET.has(lower) || (extra !== undefined && extra.has(lower))) continue;
    const value = values[i] as string;
    if (lower === 'x-forwarded-for') {
      if (value !== '') forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    if (lower === 'content-length' && body !== 'length') continue;
    if (lower === 'host') host = value;
    out += `${names[i] as string}: ${value}\r\n`;
  }
  if (host === undefined) out += `host: ${hostFallback}\r\n`;
  if (body === 'chunked') out += 'transfer-encoding: chunked\r\n';
  out += `x-forwarded-for: ${forwardedFor === undefined ? info.clientIp : `${forwardedFor}, ${info.clientIp}`}\r\n`;
  out += `x-forwarded-proto: ${info.proto}\r\n`;
  if (host !== undefined) out += `x-forwarded-host: ${host}\r\n`;
  out += `x-real-ip: ${info.clientIp}\r\nx-request-id: ${info.requestId}\r\n\r\n`;
  return out;
}

/**
 * How the response body reaches the client: `length` and `none` as the upstream framed it, `chunked` passed
 * through, `close` delimited by closing the connection (also used to decode chunks for HTTP/1.0 clients).
 */
export type ClientBody = 'none' | 'length' | 'chunked' | 'close';

export function clientResponseHead(
  up: ResponseHead,
  res: OutgoingResponse,
  ctx: ProxyContext,
  body: ClientBody,
  connection: 'close' | 'keep-alive' | undefined,
): string {
  const status = up.status;
  const statusLine = `HTTP/1.1 ${status} ${up.reason === '' ? (STATUS_CODES[status] ?? 'Unknown') : up.reason}\r\n`;
  const hooks = ctx.responseHooks;
  let out = hooks === undefined ? headLinesOf(up, res, ctx.requestId) : hookedLines(up, res, ctx, hooks);
  if (body === 'chunked') out += 'transfer-encoding: chunked\r\n';
  if (connection !== undefined) out += `connection: ${connection}\r\n`;
  return `${statusLine}${out}\r\n`;
}

function headLinesOf(up: ResponseHead, res: OutgoingResponse, requestId: string): string {
  const { names, lowerNames, values } = up;
  const extra = connectionTokens(headerValue(up, 'connection'));
  const pending = res.pending;
  let out = '';
  let hasRequestId = false;
  for (let i = 0; i < lowerNames.length; i++) {
    const lower = lowerNames[i] as string;
    if (HOP_BY_HOP.has(lower) || (extra !== undefined && extra.has(lower))) continue;
    if (lower === 'x-request-id') hasRequestId = true;
    out += `${names[i] as string}: ${values[i] as string}\r\n`;
  }
  if (!hasRequestId) out += `x-request-id: ${requestId}\r\n`;
  if (pending !== undefined) {
    for (const [lower, [name, value]] of pending) {
      if (lower === 'x-request-id' || lowerNames.includes(lower)) continue;
      out += headerLines(name, value);
    }
  }
  return out;
}

/** With response hooks (CORS): the headers as an object the hooks may change, then serialized. */
function hookedLines(up: ResponseHead, res: OutgoingResponse, ctx: ProxyContext, hooks: readonly ResponseHeadersHook[]): string {
  const { lowerNames, values } = up;
  const extra = connectionTokens(headerValue(up, 'connection'));
  const headers: OutgoingHttpHeaders = {};
  for (let i = 0; i < lowerNames.length; i++) {
    const lower = lowerNames[i] as string;
    if (HOP_BY_HOP.has(lower) || (extra !== undefined && extra.has(lower))) continue;
    const value = values[i] as string;
    const seen = headers[lower];
    if (seen === undefined) headers[lower] = lower === 'set-cookie' ? [value] : value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[lower] = `${String(seen)}, ${value}`;
  }
  headers['x-request-id'] ??= ctx.requestId;
  if (res.pending !== undefined) for (const [lower, [, value]] of res.pending) headers[lower] ??= value as string | string[] | number;
  for (const hook of hooks) hook(up.status, headers, ctx);
  let out = '';
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out += headerLines(name, value);
  }
  return out;
}

/** One buffer of a latin1 head and a body: a single write, where cork + two writes cost a slow writev. */
export function joinHeadAndBody(head: string, body: Buffer): Buffer {
  const headLength = head.length; // latin1: one byte per character
  const out = Buffer.allocUnsafe(headLength + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, headLength);
  return out;
}
