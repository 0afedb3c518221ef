import type { MessageHead, RequestHead, ResponseHead } from './head.js';

/** How the body of a message is delimited (RFC 9112 §6.3). */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** Responses only: the body runs until the upstream closes. */
  | { readonly kind: 'close' };

/** A framing, or why the message cannot be framed safely (status: the response to send). */
export type FramingResult = BodyFraming | { readonly kind: 'error'; readonly status: number; readonly reason: string };

const NONE: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const CLOSE: BodyFraming = Object.freeze({ kind: 'close' });

/**
 * The framing of a request body, strict against request smuggling (RFC 9112 §6, llhttp's strict mode):
 * - Transfer-Encoding and Content-Length together → 400; Transfer-Encoding in an HTTP/1.0 request → 400;
 * - Transfer-Encoding (all its field lines joined as one list) must end with `chunked` (any case), name it once and
 *   have no empty element (`chunked,`) (else 400); any other coding before it (gzip…) → 501, as the proxy does not
 *   decode request codings;
 * - Content-Length must be one field line with one value, 1*DIGIT, a safe integer: `+5`, `0x5`, `5, 5` and two
 *   Content-Length lines, even identical, → 400 (as llhttp);
 * - neither, or Content-Length 0 → none.
 */
export function requestFraming(head: RequestHead): FramingResult {
  const te = transferCodings(head);
  const cl = contentLength(head);
  if (te !== undefined) {
    if (cl !== undefined) return error(400, 'both Transfer-Encoding and Content-Length');
    if (head.versionMinor === 0) return error(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (te.includes('')) return error(400, 'empty element in Transfer-Encoding');
    const last = te.length - 1;
    if (last < 0 || !isChunked(te[last])) return error(400, 'Transfer-Encoding does not end with chunked');
    for (let i = 0; i < last; i++) {
      if (isChunked(te[i])) return error(400, 'chunked applied twice');
    }
    if (last > 0) return error(501, 'transfer coding not implemented');
    return CHUNKED;
  }
  if (cl === undefined) return NONE;
  if (cl < 0) return error(400, 'invalid Content-Length');
  return cl === 0 ? NONE : { kind: 'length', length: cl };
}

/**
 * The framing of a response body (RFC 9112 §6.3): none for a response to HEAD, a 1xx, 204 or 304, and a 2xx to
 * CONNECT (the connection becomes a tunnel: the engine's business); chunked when Transfer-Encoding ends with
 * `chunked`; close when Transfer-Encoding ends with another coding; the length of a valid Content-Length (0 → none);
 * close otherwise. Refused with 502: Transfer-Encoding and Content-Length together (the proxy would have to pick
 * one: §6.3 says ought to be handled as an error), Transfer-Encoding in an HTTP/1.0 response (§6.1: faulty framing;
 * llhttp would decode it as chunked, berth would read to the close: refuse rather than disagree), `chunked` twice,
 * an empty Transfer-Encoding element, and an invalid or repeated Content-Length.
 */
export function responseFraming(head: ResponseHead, requestMethod: string): FramingResult {
  const status = head.status;
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) return NONE;
  if (requestMethod === 'CONNECT' && status < 300) return NONE;
  const te = transferCodings(head);
  const cl = contentLength(head);
  if (te !== undefined) {
    if (cl !== undefined) return error(502, 'upstream sent both Transfer-Encoding and Content-Length');
    if (head.versionMinor === 0) return error(502, 'upstream sent Transfer-Encoding in an HTTP/1.0 response');
    if (te.includes('')) return error(502, 'upstream sent an empty element in Transfer-Encoding');
    const last = te.length - 1;
    for (let i = 0; i < last; i++) {
      if (isChunked(te[i])) return error(502, 'upstream applied chunked twice');
    }
    return last >= 0 && isChunked(te[last]) ? CHUNKED : CLOSE;
  }
  if (cl === undefined) return CLOSE;
  if (cl < 0) return error(502, 'upstream sent an invalid Content-Length');
  return cl === 0 ? NONE : { kind: 'length', length: cl };
}

/**
 * The transfer codings of all Transfer-Encoding lines in order, undefined if none. Empty list elements are kept (as
 * ''): RFC 9110 §5.6.1 lets a recipient ignore them, but llhttp reads `chunked,` as not chunked, so both framings
 * refuse them rather than disagree with a parser before or behind the proxy.
 */
function transferCodings(head: MessageHead): string[] | undefined {
  let codings: string[] | undefined;
  const { lowerNames, values } = head;
  for (let i = 0; i < lowerNames.length; i++) {
    if (lowerNames[i] !== 'transfer-encoding') continue;
    codings ??= [];
    for (const element of (values[i] as string).split(',')) {
      codings.push(trimOws(element));
    }
  }
  return codings;
}

/** Trims SP and HTAB only: String.prototype.trim would also drop NBSP (0xA0) and let `chunked\xa0` pass. */
function trimOws(text: string): string {
  let from = 0;
  let to = text.length;
  while (from < to && isOws(text.charCodeAt(from))) from++;
  while (to > from && isOws(text.charCodeAt(to - 1))) to--;
  return from === 0 && to === text.length ? text : text.slice(from, to);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isChunked(coding: string | undefined): boolean {
  return coding !== undefined && coding.length === 7 && coding.toLowerCase() === 'chunked';
}

/** The Content-Length: undefined when absent, -1 when invalid or repeated, else its value. */
function contentLength(head: MessageHead): number | undefined {
  let found: number | undefined;
  const { lowerNames, values } = head;
  for (let i = 0; i < lowerNames.length; i++) {
    if (lowerNames[i] !== 'content-length') continue;
    if (found !== undefined) return -1;
    found = parseDigits(values[i] as string);
  }
  return found;
}

function parseDigits(text: string): number {
  if (text.length === 0 || text.length > 16) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

function error(status: number, reason: string): FramingResult {
  return { kind: 'error', status, reason };
}
