import { describe, expect, it } from 'vitest';
import { parseResponseHead } from './parse-response-head.js';

const LIMIT = 16 * 1024;

function parse(text: string, limit = LIMIT) {
  return parseResponseHead(Buffer.from(text, 'latin1'), 0, limit);
}

function done(text: string) {
  const result = parse(text);
  if (result.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseResponseHead: valid heads', () => {
  it('parses version, status, reason and fields', () => {
    const text = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-A: \t b \r\n\r\n';
    const { head, length } = done(text);
    expect(length).toBe(text.length);
    expect(head).toMatchObject({ versionMinor: 1, status: 404, reason: 'Not Found' });
    expect(head.names).toEqual(['Content-Length', 'X-A']);
    expect(head.lowerNames).toEqual(['content-length', 'x-a']);
    expect(head.values).toEqual(['0', 'b']);
  });

  it.each([
    ['an empty reason', 'HTTP/1.1 200 \r\n\r\n', 200, ''],
    ['no reason and no space', 'HTTP/1.1 204\r\n\r\n', 204, ''],
    ['HTTP/1.0', 'HTTP/1.0 200 OK\r\n\r\n', 200, 'OK'],
    ['a reason with obs-text and tabs', 'HTTP/1.1 500 Erreur\tg\xe9n\xe9rale\r\n\r\n', 500, 'Erreur\tg\xe9n\xe9rale'],
    ['a 1xx', 'HTTP/1.1 100 Continue\r\n\r\n', 100, 'Continue'],
    ['an unusual status', 'HTTP/1.1 799 Odd\r\n\r\n', 799, 'Odd'],
  ])('accepts %s', (_what, text, status, reason) => {
    expect(done(text).head).toMatchObject({ status, reason });
  });

  it('reports incomplete for every proper prefix and done for the whole', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n';
    for (let i = 0; i < text.length; i++) expect(parse(text.slice(0, i)).kind, `prefix ${i}`).toBe('incomplete');
    expect(done(text).length).toBe(text.length);
  });

  it('parses at an offset, leaving the body after length', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';
    const result = parseResponseHead(Buffer.from(`..${text}`), 2, LIMIT);
    expect(result.kind === 'done' && result.length).toBe(text.length - 2);
  });
});

describe('parseResponseHead: refusals are 502', () => {
  it.each([
    ['HTTP/2.0', 'HTTP/2.0 200 OK\r\n\r\n'],
    ['a lowercase version', 'http/1.1 200 OK\r\n\r\n'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['a four-digit status', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['a status below 100', 'HTTP/1.1 099 Low\r\n\r\n'],
    ['two spaces before the status', 'HTTP/1.1  200 OK\r\n\r\n'],
    ['a CTL in the reason', 'HTTP/1.1 200 O\x01K\r\n\r\n'],
    ['a space before a colon', 'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: b\r\n\tc\r\n\r\n'],
    ['NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: \x00\r\n\r\n'],
    ['a bare LF', 'HTTP/1.1 200 OK\nX-A: b\r\n\r\n'],
    ['a bare CR', 'HTTP/1.1 200 OK\rX-A: b\r\n\r\n'],
    ['leading empty lines', '\r\nHTTP/1.1 200 OK\r\n\r\n'],
  ])('refuses %s', (_what, text) => {
    expect(parse(text)).toMatchObject({ kind: 'error', status: 502 });
  });

  it('refuses heads over the limit, complete or not', () => {
    const text = `HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(200)}\r\n\r\n`;
    expect(parse(text, 100)).toMatchObject({ kind: 'error', status: 502 });
    expect(parse(text.slice(0, 150), 100)).toMatchObject({ kind: 'error', status: 502 });
  });

  it('refuses more than 100 fields', () => {
    const lines = Array.from({ length: 101 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    expect(parse(`HTTP/1.1 200 OK\r\n${lines}\r\n`)).toMatchObject({ kind: 'error', status: 502 });
  });
});
