/** The last chunk and the empty trailer section that end a chunked body: `0\r\n\r\n`. */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n', 'latin1');

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * One chunk of a chunked body (RFC 9112 §7.1): size line, `data` (not copied), CRLF, for a writev. Empty data gives
 * no chunk at all (a zero-size chunk would end the body: that is LAST_CHUNK).
 */
export function encodeChunk(data: Buffer): Buffer[] {
  if (data.length === 0) return [];
  return [Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF];
}
