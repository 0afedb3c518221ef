import { METHODS } from 'node:http';
import { CR, LF, SP, TARGET_CHAR, TOKEN } from './char-classes.js';
import { parseFieldLines, parseVersion, type FieldArrays } from './field-lines.js';
import { HEAD_BARE_LF, HEAD_INCOMPLETE, HEAD_TOO_LARGE, findHeadEnd } from './head-end.js';
import { isValidTargetForm } from './request-target.js';
import { INCOMPLETE, headerCount, type HeadResult, type RequestHead } from './head.js';

/** Empty lines ignored before a request line (RFC 9112 §2.2); more → 400. */
export const MAX_LEADING_EMPTY_LINES = 4;

const COMMON_METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];

/**
 * The methods accepted: those Node's own parser (llhttp) knows, so that berth refuses no less than the node:http
 * servers behind it and before it. Another token → 501 (RFC 9110 §9.1).
 */
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

/**
 * Parses a request head from `buf` at `start` (RFC 9112 §3, §5): `method SP request-target SP HTTP/1.x CRLF`, then
 * field lines, then CRLF. Strict, to be the front door:
 * - up to MAX_LEADING_EMPTY_LINES empty lines before the request line are skipped (and counted in `length`);
 * - single spaces only; the method a token (one not in KNOWN_METHODS → 501); the target without whitespace, CTLs or
 *   bytes above 0x7E, of a form its method allows (isValidTargetForm); HTTP/1.0 or HTTP/1.1 (another well-formed
 *   version → 505, anything else → 400);
 * - field lines as in parseFieldLines, at most MAX_HEADER_FIELDS (→ 431);
 * - a head longer than `maxHeadBytes` (counted from `start`), complete or not → 431;
 * - an HTTP/1.1 request without Host, or any request with several Host fields → 400 (RFC 9112 §3.2).
 * Does not look at the body or its framing (requestFraming does).
 */
export function parseRequestHead(buf: Buffer, start: number, maxHeadBytes: number): HeadResult<RequestHead> {
  let from = start;
  for (let empty = 0; buf[from] === CR || buf[from] === LF; empty++) {
    if (buf[from] === LF) return error(400, 'bare LF before the request line');
    if (from + 1 >= buf.length) return INCOMPLETE;
    if (buf[from + 1] !== LF) return error(400, 'bare CR before the request line');
    if (empty >= MAX_LEADING_EMPTY_LINES) return error(400, 'too many empty lines before the request line');
    from += 2;
  }
  const end = findHeadEnd(buf, start, from, maxHeadBytes);
  if (end === HEAD_INCOMPLETE) return INCOMPLETE;
  if (end === HEAD_TOO_LARGE) return error(431, `request head larger than ${maxHeadBytes} bytes`);
  if (end === HEAD_BARE_LF) return error(400, 'bare LF in the head');
  const text = buf.toString('latin1', from, end);

  let pos = 0;
  let c = text.charCodeAt(0);
  while (TOKEN[c] === 1) c = text.charCodeAt(++pos);
  if (pos === 0 || c !== SP) return error(400, 'invalid method');
  const method = methodName(text, pos);
  if (method === undefined) return error(501, 'method not implemented');
  const targetStart = ++pos;
  c = text.charCodeAt(pos);
  while (TARGET_CHAR[c] === 1) c = text.charCodeAt(++pos);
  if (pos === targetStart || c !== SP) return error(400, 'invalid request target');
  const target = text.slice(targetStart, pos);
  if (!isValidTargetForm(method, target)) return error(400, 'invalid request target form');
  const versionMinor = parseVersion(text, pos + 1);
  if (versionMinor === -2) return error(505, 'HTTP version not supported');
  if (versionMinor === -1) return error(400, 'invalid HTTP version');
  pos += 9;
  if (text.charCodeAt(pos) !== CR || text.charCodeAt(pos + 1) !== LF) return error(400, 'invalid request line');

  const fields: FieldArrays = { names: [], values: [], lowerNames: [] };
  const failed = parseFieldLines(text, pos + 2, fields);
  if (failed !== undefined) return error(failed.status, failed.reason);
  const head: RequestHead = {
    method,
    target,
    names: fields.names,
    values: fields.values,
    lowerNames: fields.lowerNames,
    versionMinor,
  };
  const hosts = headerCount(head, 'host');
  if (hosts > 1) return error(400, 'several Host header fields');
  if (hosts === 0 && versionMinor === 1) return error(400, 'HTTP/1.1 request without Host');
  return { kind: 'done', head, length: end - start };
}

/** The method, a shared constant string when it is a common one (no allocation); undefined when unknown. */
function methodName(text: string, length: number): string | undefined {
  for (const common of COMMON_METHODS) {
    if (common.length === length && text.startsWith(common)) return common;
  }
  const method = text.slice(0, length);
  return KNOWN_METHODS.has(method) ? method : undefined;
}

function error(status: number, reason: string): HeadResult<RequestHead> {
  return { kind: 'error', status, reason };
}
