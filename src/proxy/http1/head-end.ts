import { CR, LF } from './char-classes.js';

const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

/** findHeadEnd: more bytes are needed. */
export const HEAD_INCOMPLETE = -1;
/** findHeadEnd: no end within the limit. */
export const HEAD_TOO_LARGE = -2;
/** findHeadEnd: a LF without its CR, which can never become a valid head. */
export const HEAD_BARE_LF = -3;

/**
 * Finds the end of a head that starts at `from` (the head's own first byte; `start` is where the limit counts
 * from): the offset just after the first CRLF CRLF, or one of the negative HEAD_* codes. An incomplete head is
 * checked for bare LFs so that a client that ends lines with LF alone is answered at once instead of at the limit.
 */
export function findHeadEnd(buf: Buffer, start: number, from: number, maxHeadBytes: number): number {
  const at = buf.indexOf(END_OF_HEAD, from);
  if (at >= 0) return at + 4 - start > maxHeadBytes ? HEAD_TOO_LARGE : at + 4;
  if (buf.length - start > maxHeadBytes) return HEAD_TOO_LARGE;
  for (let lf = buf.indexOf(LF, from); lf >= 0; lf = buf.indexOf(LF, lf + 1)) {
    if (lf === from || buf[lf - 1] !== CR) return HEAD_BARE_LF;
  }
  return HEAD_INCOMPLETE;
}
