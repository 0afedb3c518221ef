/**
 * Byte classes of HTTP/1.1 (RFC 9110 §5.6.2, RFC 9112), as lookup tables indexed by a char code in 0..255 (the
 * codec works on latin1 strings, one char per byte). A table answers in one load, where a regex or a chain of
 * comparisons would cost more per byte on the hot path.
 */

function table(accept: (code: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = accept(c) ? 1 : 0;
  return t;
}

const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

/** tchar: the characters of a token (header names, methods, transfer codings). */
export const TOKEN = table(
  (c) =>
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || TCHAR_SYMBOLS.includes(String.fromCharCode(c)),
);

/** field-vchar, SP and HTAB: what a header value (and a reason phrase) may hold; obs-text 0x80–0xFF included. */
export const FIELD_CHAR = table((c) => c === 0x09 || (c >= 0x20 && c !== 0x7f));

/**
 * What a request-target may hold: visible ASCII only; no whitespace, no control characters and, as in llhttp, no
 * bytes above 0x7E (a client percent-encodes them).
 */
export const TARGET_CHAR = table((c) => c > 0x20 && c < 0x7f);

/** HEXDIG → its value, or -1. */
export const HEX_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[0x41 + c] = 10 + c;
    t[0x61 + c] = 10 + c;
  }
  return t;
})();

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;
