import { CR, FIELD_CHAR, LF, SP } from './char-classes.js';
import { parseFieldLines, parseVersion, type FieldArrays } from './field-lines.js';
import { HEAD_BARE_LF, HEAD_INCOMPLETE, HEAD_TOO_LARGE, findHeadEnd } from './head-end.js';
import { INCOMPLETE, type HeadResult, type ResponseHead } from './head.js';

/**
 * Parses a response head from an upstream in `buf` at `start` (RFC 9112 §4, §5): `HTTP/1.x SP 3DIGIT SP reason
 * CRLF` (reason may be empty; `HTTP/1.1 200` without the SP is accepted), then field lines as in parseFieldLines,
 * then CRLF. Status is 100..999. Every refusal, including a head over `maxHeadBytes`, has status 502: it is the
 * answer the proxy gives its client. Does not look at the body or its framing (responseFraming does).
 */
export function parseResponseHead(buf: Buffer, start: number, maxHeadBytes: number): HeadResult<ResponseHead> {
  const end = findHeadEnd(buf, start, start, maxHeadBytes);
  if (end === HEAD_INCOMPLETE) return INCOMPLETE;
  if (end === HEAD_TOO_LARGE) return error(`response head larger than ${maxHeadBytes} bytes`);
  if (end === HEAD_BARE_LF) return error('bare LF in the response head');
  const text = buf.toString('latin1', start, end);

  const versionMinor = parseVersion(text, 0);
  if (versionMinor < 0) return error('invalid or unsupported HTTP version in the status line');
  if (text.charCodeAt(8) !== SP) return error('invalid status line');
  const d0 = text.charCodeAt(9) - 0x30;
  const d1 = text.charCodeAt(10) - 0x30;
  const d2 = text.charCodeAt(11) - 0x30;
  if (!(d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) return error('invalid status code');
  const status = d0 * 100 + d1 * 10 + d2;
  let pos = 12;
  let reason = '';
  if (text.charCodeAt(pos) === SP) {
    const reasonStart = ++pos;
    while (FIELD_CHAR[text.charCodeAt(pos)] === 1) pos++;
    if (pos > reasonStart) reason = text.slice(reasonStart, pos);
  }
  if (text.charCodeAt(pos) !== CR || text.charCodeAt(pos + 1) !== LF) return error('invalid status line');

  const fields: FieldArrays = { names: [], values: [], lowerNames: [] };
  const failed = parseFieldLines(text, pos + 2, fields);
  if (failed !== undefined) return error(failed.reason);
  const head: ResponseHead = {
    status,
    reason,
    names: fields.names,
    values: fields.values,
    lowerNames: fields.lowerNames,
    versionMinor: versionMinor as 0 | 1,
  };
  return { kind: 'done', head, length: end - start };
}

function error(reason: string): HeadResult<ResponseHead> {
  return { kind: 'error', status: 502, reason };
}
