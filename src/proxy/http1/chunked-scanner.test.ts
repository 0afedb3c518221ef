import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkedScanner, type ChunkedScannerOptions } from './chunked-scanner.js';
import { LAST_CHUNK, encodeChunk } from './encode-chunk.js';

interface Outcome {
  readonly end: number;
  readonly data: string;
  readonly error: string | undefined;
}

/** Scans `bytes` cut at `cuts` (sorted offsets), returning the end offset in `bytes`, the data and the error. */
function scanInSlices(bytes: Buffer, cuts: readonly number[] = [], options?: ChunkedScannerOptions): Outcome {
  const scanner = new ChunkedScanner(options);
  const parts: Buffer[] = [];
  const onData = (buf: Buffer, start: number, end: number) => parts.push(Buffer.from(buf.subarray(start, end)));
  let from = 0;
  let end = -1;
  for (const to of [...cuts, bytes.length]) {
    if (to < from) continue;
    const result = scanner.scan(bytes, from, to, onData);
    if (result === -2) return { end: -2, data: Buffer.concat(parts).toString('latin1'), error: scanner.error };
    if (result >= 0) {
      end = result;
      break;
    }
    from = to;
  }
  expect(scanner.done).toBe(end >= 0);
  expect(scanner.dataBytes).toBe(Buffer.concat(parts).length);
  return { end, data: Buffer.concat(parts).toString('latin1'), error: scanner.error };
}

function scan(text: string, options?: ChunkedScannerOptions): Outcome {
  return scanInSlices(Buffer.from(text, 'latin1'), [], options);
}

describe('ChunkedScanner', () => {
  it.each([
    ['one chunk', '5\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['several chunks, hex sizes in both cases', 'a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0\r\n\r\n', '0123456789abcdefghijk'],
    ['leading zeros', '0005\r\nhello\r\n000\r\n\r\n', 'hello'],
    ['extensions', '5;name=value;other="q s";x\r\nhello\r\n0;last\r\n\r\n', 'hello'],
    ['a quoted extension with escapes', '5;a="x\\"y;z=1\\\\"\r\nhello\r\n0\r\n\r\n', 'hello'],
    ['trailers', '3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Empty:\r\n\r\n', 'abc'],
    ['an empty body', '0\r\n\r\n', ''],
    ['CRLF inside the data', '4\r\n\r\n\r\n\r\n0\r\n\r\n', '\r\n\r\n'],
  ])('reads %s and ends just after the final CRLF', (_what, body, data) => {
    expect(scan(`${body}NEXT`)).toEqual({ end: body.length, data, error: undefined });
  });

  it.each([
    ['a space after the size', '5 \r\nhello\r\n0\r\n\r\n'],
    ['a space before the extension', '5 ;a\r\nhello\r\n0\r\n\r\n'],
    ['a space before the size', ' 5\r\nhello\r\n0\r\n\r\n'],
    ['an empty size', '\r\nhello\r\n0\r\n\r\n'],
    ['a sign', '+5\r\nhello\r\n0\r\n\r\n'],
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['a bare LF after the size', '5\nhello\r\n0\r\n\r\n'],
    ['a bare CR after the size', '5\rhello\r\n0\r\n\r\n'],
    ['data longer than its size', '3\r\nhello\r\n0\r\n\r\n'],
    ['data followed by LF only', '5\r\nhello\n0\r\n\r\n'],
    ['a space after the semicolon', '5; a=b\r\nhello\r\n0\r\n\r\n'],
    ['a space around the equals sign', '5;a =b\r\nhello\r\n0\r\n\r\n'],
    ['an extension without name', '5;=b\r\nhello\r\n0\r\n\r\n'],
    ['an empty extension', '5;\r\nhello\r\n0\r\n\r\n'],
    ['an empty extension value', '5;a=\r\nhello\r\n0\r\n\r\n'],
    ['a space inside a token value', '5;a=b c\r\nhello\r\n0\r\n\r\n'],
    ['text after a quoted value', '5;a="b"c\r\nhello\r\n0\r\n\r\n'],
    ['an unterminated quoted value', '5;a="b\r\nhello\r\n0\r\n\r\n'],
    ['a bare LF in an extension', '5;a\nb\r\nhello\r\n0\r\n\r\n'],
    ['a CTL in an extension', '5;a\x01\r\nhello\r\n0\r\n\r\n'],
    ['a size beyond MAX_SAFE_INTEGER', '20000000000000\r\n'],
    ['a bare LF ending the body', '0\r\n\n'],
    ['a trailer without colon', '0\r\nX-A\r\n\r\n'],
    ['a trailer with a space before the colon', '0\r\nX-A : b\r\n\r\n'],
    ['an obs-folded trailer', '0\r\nX-A: b\r\n c\r\n\r\n'],
    ['a bare LF ending a trailer', '0\r\nX-A: b\n\r\n'],
    ['NUL in a trailer', '0\r\nX-A: \x00\r\n\r\n'],
  ])('refuses %s', (_what, body) => {
    const outcome = scan(body);
    expect(outcome.end).toBe(-2);
    expect(outcome.error).toBeTypeOf('string');
  });

  it('accepts the largest safe chunk size as a size', () => {
    const scanner = new ChunkedScanner();
    const line = Buffer.from(`${Number.MAX_SAFE_INTEGER.toString(16)}\r\nabc`);
    expect(scanner.scan(line, 0, line.length)).toBe(-1);
    expect(scanner.dataBytes).toBe(3);
  });

  it('bounds the size line with its extensions', () => {
    const body = `5;${'x'.repeat(100)}\r\nhello\r\n0\r\n\r\n`;
    expect(scan(body, { maxLineBytes: 50 }).end).toBe(-2);
    expect(scan(body, { maxLineBytes: 200 }).end).toBe(body.length);
  });

  it('bounds the trailer section', () => {
    const body = `0\r\nX-A: ${'x'.repeat(100)}\r\n\r\n`;
    expect(scan(body, { maxTrailerBytes: 50 }).end).toBe(-2);
    expect(scan(body, { maxTrailerBytes: 200 }).end).toBe(body.length);
  });

  it('asks for more bytes until the end, at every split point', () => {
    const body = '5;e=1\r\nhello\r\n1\r\n!\r\n0\r\nX-T: v\r\n\r\n';
    const bytes = Buffer.from(body);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const scanner = new ChunkedScanner();
      const first = scanner.scan(bytes, 0, cut);
      expect(first, `cut ${cut}`).toBe(cut === bytes.length ? bytes.length : -1);
      if (first === -1) expect(scanner.scan(bytes, cut, bytes.length)).toBe(bytes.length);
      expect(scanner.done).toBe(true);
    }
  });

  it('returns start once done and -2 again once failed', () => {
    const done = new ChunkedScanner();
    const bytes = Buffer.from('0\r\n\r\nGET');
    expect(done.scan(bytes, 0, bytes.length)).toBe(5);
    expect(done.scan(bytes, 5, bytes.length)).toBe(5);
    const failed = new ChunkedScanner();
    expect(failed.scan(Buffer.from('z'), 0, 1)).toBe(-2);
    expect(failed.scan(Buffer.from('0\r\n\r\n'), 0, 5)).toBe(-2);
  });
});

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const quoted = fc.stringMatching(/^[\x20-\x7e]{0,10}$/).map((text) => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`);
const extension = fc.option(fc.tuple(token, fc.option(fc.oneof(token, quoted), { nil: undefined })), { nil: undefined });

/** A random chunked body: chunks with random extensions, then random trailers. */
const chunkedBody = fc
  .record({
    chunks: fc.array(fc.record({ data: fc.uint8Array({ minLength: 1, maxLength: 300 }), ext: extension }), { maxLength: 8 }),
    lastExt: extension,
    trailers: fc.array(fc.tuple(token, fc.stringMatching(/^[\x20-\x7e]{0,20}$/)), { maxLength: 3 }),
  })
  .map(({ chunks, lastExt, trailers }) => {
    const ext = (e: [string, string | undefined] | undefined) => (e === undefined ? '' : `;${e[0]}${e[1] === undefined ? '' : `=${e[1]}`}`);
    const parts: Buffer[] = [];
    for (const chunk of chunks) {
      parts.push(Buffer.from(`${chunk.data.length.toString(16)}${ext(chunk.ext)}\r\n`), Buffer.from(chunk.data), Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`0${ext(lastExt)}\r\n${trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`));
    const data = Buffer.concat(chunks.map((c) => Buffer.from(c.data))).toString('latin1');
    return { bytes: Buffer.concat(parts), data };
  });

describe('ChunkedScanner properties', () => {
  it('gives the same end and data whether fed whole or in random slices', () => {
    fc.assert(
      fc.property(chunkedBody, fc.array(fc.nat(), { maxLength: 20 }), fc.uint8Array({ maxLength: 10 }), (body, rawCuts, tail) => {
        const bytes = Buffer.concat([body.bytes, tail]);
        const whole = scanInSlices(bytes);
        expect(whole).toEqual({ end: body.bytes.length, data: body.data, error: undefined });
        const cuts = rawCuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        expect(scanInSlices(bytes, cuts)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('reads back what encodeChunk and LAST_CHUNK wrote', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 500 }), { maxLength: 10 }), (pieces) => {
        const bytes = Buffer.concat([...pieces.flatMap((p) => encodeChunk(Buffer.from(p))), LAST_CHUNK]);
        const expected = Buffer.concat(pieces.map((p) => Buffer.from(p))).toString('latin1');
        expect(scanInSlices(bytes)).toEqual({ end: bytes.length, data: expected, error: undefined });
      }),
      { numRuns: 200 },
    );
  });
});
