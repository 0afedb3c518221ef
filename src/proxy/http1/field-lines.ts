import { COLON, CR, FIELD_CHAR, HTAB, LF, SP, TOKEN } from './char-classes.js';
import { MAX_HEADER_FIELDS } from './head.js';

/** The arrays a head parser fills, parallel. */
export interface FieldArrays {
  readonly names: string[];
  readonly values: string[];
  readonly lowerNames: string[];
}

/** Why field lines were refused: 400 for malformed, 431 for too many. */
export interface FieldLinesError {
  readonly status: 400 | 431;
  readonly reason: string;
}

/**
 * Parses the field lines of a head (RFC 9112 §5) from `pos` of `text`, a latin1 string that ends with the empty
 * line (CRLF CRLF); fills `out`. Strict: a name is a non-empty token directly followed by `:`; a value holds no CTL
 * but HTAB (obs-text allowed) and loses its surrounding OWS; obs-fold, bare CR, bare LF and NUL are refused, and so
 * is an HTAB after the value of Content-Length or Transfer-Encoding (as llhttp does).
 * Returns undefined when the lines are valid and end exactly at the end of `text`.
 */
export function parseFieldLines(text: string, pos: number, out: FieldArrays): FieldLinesError | undefined {
  const end = text.length;
  for (;;) {
    let c = text.charCodeAt(pos);
    if (c === CR) {
      return text.charCodeAt(pos + 1) === LF && pos + 2 === end ? undefined : malformed('bare CR in the head');
    }
    if (out.names.length >= MAX_HEADER_FIELDS) return { status: 431, reason: `more than ${MAX_HEADER_FIELDS} header fields` };
    if (c === SP || c === HTAB) return malformed('obs-fold or whitespace at the start of a header line');
    const nameStart = pos;
    let upper = false;
    while (TOKEN[c] === 1) {
      if (c >= 0x41 && c <= 0x5a) upper = true;
      c = text.charCodeAt(++pos);
    }
    if (pos === nameStart) return malformed('invalid header name');
    if (c !== COLON) return malformed(c === SP || c === HTAB ? 'whitespace before the colon of a header' : 'invalid header name');
    const name = text.slice(nameStart, pos);
    c = text.charCodeAt(++pos);
    while (c === SP || c === HTAB) c = text.charCodeAt(++pos);
    const valueStart = pos;
    // The text ends with CRLF CRLF, so a CR is always found; then every byte before it must be a field char.
    const cr = text.indexOf('\r', pos);
    while (pos < cr && FIELD_CHAR[text.charCodeAt(pos)] === 1) pos++;
    if (pos !== cr) return malformed(text.charCodeAt(pos) === LF ? 'bare LF in the head' : 'control character in a header value');
    if (text.charCodeAt(pos + 1) !== LF) return malformed('bare CR in the head');
    let valueEnd = pos;
    while (valueEnd > valueStart && isOws(text.charCodeAt(valueEnd - 1))) valueEnd--;
    const lower = upper ? lowerName(name) : name;
    if (pos > valueEnd && isFramingField(lower) && hasTab(text, valueEnd, pos)) {
      // llhttp refuses these: agree with it, so that no parser behind the proxy frames the message differently.
      return malformed(`HTAB after the value of ${name}`);
    }
    pos += 2;
    out.names.push(name);
    out.lowerNames.push(lower);
    out.values.push(valueStart === valueEnd ? '' : text.slice(valueStart, valueEnd));
  }
}

/** Lowercased header names seen so far (the same few dozen names come in every request): no new string each time. */
const LOWER = new Map<string, string>();
const LOWER_MAX = 512;

function lowerName(name: string): string {
  let lower = LOWER.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (LOWER.size < LOWER_MAX) LOWER.set(name, lower);
  }
  return lower;
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

function hasTab(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === HTAB) return true;
  return false;
}

function isFramingField(lower: string): boolean {
  return lower === 'content-length' || lower === 'transfer-encoding';
}

function malformed(reason: string): FieldLinesError {
  return { status: 400, reason };
}

/**
 * Reads `HTTP/1.0` or `HTTP/1.1` at `pos`: 0 or 1 (the minor version), -1 when it is not an HTTP-version at all,
 * -2 when it is a well-formed version other than 1.0 and 1.1 (HTTP/2.0, HTTP/1.2, HTTP/0.9).
 */
export function parseVersion(text: string, pos: number): 0 | 1 | -1 | -2 {
  if (!text.startsWith('HTTP/', pos) || text.charCodeAt(pos + 6) !== 0x2e /* . */) return -1;
  const major = text.charCodeAt(pos + 5) - 0x30;
  const minor = text.charCodeAt(pos + 7) - 0x30;
  if (!(major >= 0 && major <= 9 && minor >= 0 && minor <= 9)) return -1;
  if (major !== 1 || minor > 1) return -2;
  return minor === 0 ? 0 : 1;
}
