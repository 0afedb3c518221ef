import { describe, expect, it } from 'vitest';
import { requestFraming, responseFraming } from './framing.js';
import { parseRequestHead } from './parse-request-head.js';
import { parseResponseHead } from './parse-response-head.js';

function request(fields: string, version = '1.1') {
  const result = parseRequestHead(Buffer.from(`POST / HTTP/${version}\r\nHost: h\r\n${fields}\r\n`, 'latin1'), 0, 16384);
  if (result.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(result)}`);
  return result.head;
}

function response(statusLine: string, fields: string) {
  const result = parseResponseHead(Buffer.from(`${statusLine}\r\n${fields}\r\n`, 'latin1'), 0, 16384);
  if (result.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(result)}`);
  return result.head;
}

describe('requestFraming', () => {
  it.each([
    ['no framing fields', '', { kind: 'none' }],
    ['Content-Length 0', 'Content-Length: 0\r\n', { kind: 'none' }],
    ['a Content-Length', 'Content-Length: 5\r\n', { kind: 'length', length: 5 }],
    ['leading zeros', 'Content-Length: 007\r\n', { kind: 'length', length: 7 }],
    ['the largest safe length', `Content-Length: ${Number.MAX_SAFE_INTEGER}\r\n`, { kind: 'length', length: Number.MAX_SAFE_INTEGER }],
    ['chunked', 'Transfer-Encoding: chunked\r\n', { kind: 'chunked' }],
    ['chunked in any case with OWS', 'transfer-encoding: \t CHUNKED  \r\n', { kind: 'chunked' }],
  ])('frames %s', (_what, fields, expected) => {
    expect(requestFraming(request(fields))).toEqual(expected);
  });

  it.each([
    ['CL + TE', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', 400],
    ['TE + CL', 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', 400],
    ['TE + CL 0', 'Transfer-Encoding: chunked\r\nContent-Length: 0\r\n', 400],
    ['chunked, identity', 'Transfer-Encoding: chunked, identity\r\n', 400],
    ['xchunked', 'Transfer-Encoding: xchunked\r\n', 400],
    ['chunkedx', 'Transfer-Encoding: chunkedx\r\n', 400],
    ['chunked with a parameter', 'Transfer-Encoding: chunked;q=1\r\n', 400],
    ['chunked with NBSP', 'Transfer-Encoding: chunked\xa0\r\n', 400],
    ['"chunked" quoted', 'Transfer-Encoding: "chunked"\r\n', 400],
    ['chunked split across a space', 'Transfer-Encoding: chun ked\r\n', 400],
    ['chunked twice in one line', 'Transfer-Encoding: chunked, chunked\r\n', 400],
    ['chunked twice on two lines', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', 400],
    ['chunked then gzip on two lines', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n', 400],
    ['an empty Transfer-Encoding', 'Transfer-Encoding: \r\n', 400],
    ['chunked with a trailing comma', 'Transfer-Encoding: chunked,\r\n', 400],
    ['chunked with a leading comma', 'Transfer-Encoding: , chunked\r\n', 400],
    ['chunked after an empty line value', 'Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n', 400],
    ['gzip alone', 'Transfer-Encoding: gzip\r\n', 400],
    ['gzip, chunked', 'Transfer-Encoding: gzip, chunked\r\n', 501],
    ['gzip then chunked on two lines', 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n', 501],
    ['Content-Length: +5', 'Content-Length: +5\r\n', 400],
    ['Content-Length with an inner space', 'Content-Length: 1 2\r\n', 400],
    ['Content-Length: -1', 'Content-Length: -1\r\n', 400],
    ['Content-Length: 5, 6', 'Content-Length: 5, 6\r\n', 400],
    ['Content-Length: 5, 5', 'Content-Length: 5, 5\r\n', 400],
    ['Content-Length: 5 5', 'Content-Length: 5 5\r\n', 400],
    ['two identical Content-Length lines', 'Content-Length: 5\r\nContent-Length: 5\r\n', 400],
    ['two different Content-Length lines', 'Content-Length: 5\r\ncontent-length: 6\r\n', 400],
    ['Content-Length in hex', 'Content-Length: 0x5\r\n', 400],
    ['Content-Length with a hex digit', 'Content-Length: 5a\r\n', 400],
    ['Content-Length: 1e3', 'Content-Length: 1e3\r\n', 400],
    ['Content-Length: 5.0', 'Content-Length: 5.0\r\n', 400],
    ['an empty Content-Length', 'Content-Length:\r\n', 400],
    ['an unsafe Content-Length', 'Content-Length: 9007199254740993\r\n', 400],
    ['a huge Content-Length', `Content-Length: ${'9'.repeat(40)}\r\n`, 400],
  ])('refuses %s with %i', (_what, fields, status) => {
    expect(requestFraming(request(fields))).toMatchObject({ kind: 'error', status });
  });

  it('refuses Transfer-Encoding in an HTTP/1.0 request', () => {
    expect(requestFraming(request('Transfer-Encoding: chunked\r\n', '1.0'))).toMatchObject({ kind: 'error', status: 400 });
  });
});

describe('responseFraming', () => {
  it.each([
    ['a response to HEAD', 'HTTP/1.1 200 OK', 'Content-Length: 5\r\n', 'HEAD', { kind: 'none' }],
    ['a 1xx', 'HTTP/1.1 101 Switching Protocols', '', 'GET', { kind: 'none' }],
    ['a 204', 'HTTP/1.1 204 No Content', 'Transfer-Encoding: chunked\r\n', 'GET', { kind: 'none' }],
    ['a 304', 'HTTP/1.1 304 Not Modified', 'Content-Length: 10\r\n', 'GET', { kind: 'none' }],
    ['a 2xx to CONNECT', 'HTTP/1.1 200 OK', '', 'CONNECT', { kind: 'none' }],
    ['a 407 to CONNECT', 'HTTP/1.1 407 Auth', 'Content-Length: 3\r\n', 'CONNECT', { kind: 'length', length: 3 }],
    ['chunked', 'HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, Chunked\r\n', 'GET', { kind: 'chunked' }],
    ['TE not ending with chunked', 'HTTP/1.1 200 OK', 'Transfer-Encoding: gzip\r\n', 'GET', { kind: 'close' }],
    ['a Content-Length', 'HTTP/1.1 200 OK', 'Content-Length: 12\r\n', 'GET', { kind: 'length', length: 12 }],
    ['Content-Length 0', 'HTTP/1.1 200 OK', 'Content-Length: 0\r\n', 'POST', { kind: 'none' }],
    ['no framing fields', 'HTTP/1.1 200 OK', '', 'GET', { kind: 'close' }],
    ['HTTP/1.0 without length', 'HTTP/1.0 200 OK', '', 'GET', { kind: 'close' }],
  ])('frames %s', (_what, statusLine, fields, method, expected) => {
    expect(responseFraming(response(statusLine, fields), method)).toEqual(expected);
  });

  it('refuses Transfer-Encoding in an HTTP/1.0 response with 502', () => {
    const head = response('HTTP/1.0 200 OK', 'Transfer-Encoding: chunked\r\n');
    expect(responseFraming(head, 'GET')).toMatchObject({ kind: 'error', status: 502 });
  });

  it.each([
    ['CL + TE', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n'],
    ['chunked twice', 'Transfer-Encoding: chunked, chunked\r\n'],
    ['an empty Transfer-Encoding element', 'Transfer-Encoding: chunked,\r\n'],
    ['an invalid Content-Length', 'Content-Length: +5\r\n'],
    ['conflicting Content-Lengths', 'Content-Length: 5\r\nContent-Length: 6\r\n'],
    ['a Content-Length list', 'Content-Length: 5, 5\r\n'],
  ])('refuses %s with 502', (_what, fields) => {
    expect(responseFraming(response('HTTP/1.1 200 OK', fields), 'GET')).toMatchObject({ kind: 'error', status: 502 });
  });
});
