import { describe, expect, it } from 'vitest';
import { MAX_HEADER_FIELDS, headerValue } from './head.js';
import { parseRequestHead } from './parse-request-head.js';

const LIMIT = 16 * 1024;

function parse(text: string, limit = LIMIT) {
  return parseRequestHead(Buffer.from(text, 'latin1'), 0, limit);
}

function done(text: string) {
  const result = parse(text);
  if (result.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseRequestHead: valid heads', () => {
  it('parses method, target, version and fields in order, names as sent and lowercased', () => {
    const text = 'GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nX-Custom-ID: 42\r\naccept: */*\r\n\r\n';
    const { head, length } = done(text);
    expect(length).toBe(text.length);
    expect(head).toMatchObject({ method: 'GET', target: '/a/b?c=d', versionMinor: 1 });
    expect(head.names).toEqual(['Host', 'X-Custom-ID', 'accept']);
    expect(head.lowerNames).toEqual(['host', 'x-custom-id', 'accept']);
    expect(head.values).toEqual(['example.com', '42', '*/*']);
    expect(headerValue(head, 'x-custom-id')).toBe('42');
    expect(headerValue(head, 'missing')).toBeUndefined();
  });

  it.each([
    ['an empty value', 'X-Empty:', ''],
    ['an empty value with spaces', 'X-Empty:   \t ', ''],
    ['OWS around the value', 'X-A: \t value with  inner  spaces \t', 'value with  inner  spaces'],
    ['OWS around a Content-Length value', 'Content-Length: \t 5 ', '5'],
    ['no space after the colon', 'X-A:v', 'v'],
    ['a tab inside the value', 'X-A: a\tb', 'a\tb'],
    ['obs-text', 'X-A: caf\xe9 \xff', 'caf\xe9 \xff'],
    ['all tchar symbols in the name', "!#$%&'*+-.^_`|~09azAZ: v", 'v'],
  ])('accepts %s', (_what, line, value) => {
    const { head } = done(`GET / HTTP/1.1\r\nHost: h\r\n${line}\r\n\r\n`);
    expect(head.values[1]).toBe(value);
  });

  it('accepts HTTP/1.0 without Host, and unusual methods and targets', () => {
    expect(done('GET / HTTP/1.0\r\n\r\n').head).toMatchObject({ versionMinor: 0, names: [] });
    expect(done('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n').head.target).toBe('*');
    expect(done('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n').head.method).toBe('CONNECT');
    expect(done('M-SEARCH http://x/y HTTP/1.1\r\nHost: h\r\n\r\n').head.method).toBe('M-SEARCH');
    expect(done('PROPFIND /d HTTP/1.1\r\nHost: h\r\n\r\n').head.method).toBe('PROPFIND');
    expect(done('GET http://example.com:8080/a?b#c HTTP/1.1\r\nHost: h\r\n\r\n').head.target).toBe('http://example.com:8080/a?b#c');
    expect(done('GET /a"<>\\^`{|}?%zz HTTP/1.1\r\nHost: h\r\n\r\n').head.target).toBe('/a"<>\\^`{|}?%zz');
  });

  it('ignores a few empty lines before the request line and counts them in length', () => {
    const text = '\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n';
    expect(done(text).length).toBe(text.length);
  });

  it('parses a head at an offset and leaves the body bytes after length', () => {
    const text = 'xxGET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello';
    const result = parseRequestHead(Buffer.from(text), 2, LIMIT);
    expect(result.kind).toBe('done');
    if (result.kind === 'done') expect(text.slice(2 + result.length)).toBe('hello');
  });

  it(`accepts ${MAX_HEADER_FIELDS} header fields`, () => {
    const lines = Array.from({ length: MAX_HEADER_FIELDS - 1 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    expect(done(`GET / HTTP/1.1\r\nHost: h\r\n${lines}\r\n`).head.names).toHaveLength(MAX_HEADER_FIELDS);
  });

  it('reports incomplete for every proper prefix of a valid head and done for the whole', () => {
    const text = '\r\nPOST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nX-Empty:\r\n\r\n';
    for (let i = 0; i < text.length; i++) expect(parse(text.slice(0, i)).kind, `prefix ${i}`).toBe('incomplete');
    expect(done(text).length).toBe(text.length);
  });
});

describe('parseRequestHead: refusals', () => {
  const host = 'Host: h\r\n';
  it.each([
    ['a space before the colon', `GET / HTTP/1.1\r\n${host}Transfer-Encoding : chunked\r\n\r\n`, 400],
    ['a tab before the colon', `GET / HTTP/1.1\r\n${host}X-A\t: v\r\n\r\n`, 400],
    ['obs-fold', `GET / HTTP/1.1\r\n${host}X-A: v\r\n  folded\r\n\r\n`, 400],
    ['whitespace before the first field', `GET / HTTP/1.1\r\n Host: h\r\n\r\n`, 400],
    ['an empty field name', `GET / HTTP/1.1\r\n${host}: v\r\n\r\n`, 400],
    ['a non-token name', `GET / HTTP/1.1\r\n${host}X(A): v\r\n\r\n`, 400],
    ['a line without colon', `GET / HTTP/1.1\r\n${host}X-A\r\n\r\n`, 400],
    ['an HTAB after a Content-Length value', `POST / HTTP/1.1\r\n${host}Content-Length: 5 \t\r\n\r\n`, 400],
    ['an HTAB after a Transfer-Encoding value', `POST / HTTP/1.1\r\n${host}transfer-encoding: chunked\t\r\n\r\n`, 400],
    ['NUL in a value', `GET / HTTP/1.1\r\n${host}X-A: a\x00b\r\n\r\n`, 400],
    ['a CTL in a value', `GET / HTTP/1.1\r\n${host}X-A: a\x0bb\r\n\r\n`, 400],
    ['DEL in a value', `GET / HTTP/1.1\r\n${host}X-A: a\x7fb\r\n\r\n`, 400],
    ['a bare CR in a value', `GET / HTTP/1.1\r\n${host}X-A: a\rb\r\n\r\n`, 400],
    ['a bare LF in a value', `GET / HTTP/1.1\r\n${host}X-A: a\nb\r\n\r\n`, 400],
    ['a bare LF ending a field', `GET / HTTP/1.1\r\n${host}X-A: a\n\r\n`, 400],
    ['bare LF line ends everywhere', `GET / HTTP/1.1\n${host}\n`, 400],
    ['a bare LF before the request line', `\nGET / HTTP/1.1\r\n${host}\r\n`, 400],
    ['too many empty lines first', `\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n${host}\r\n`, 400],
    ['a lowercase version', `GET / http/1.1\r\n${host}\r\n`, 400],
    ['a missing version', `GET /\r\n${host}\r\n`, 400],
    ['two spaces after the method', `GET  / HTTP/1.1\r\n${host}\r\n`, 400],
    ['two spaces before the version', `GET /  HTTP/1.1\r\n${host}\r\n`, 400],
    ['a tab as separator', `GET\t/ HTTP/1.1\r\n${host}\r\n`, 400],
    ['a trailing space after the version', `GET / HTTP/1.1 \r\n${host}\r\n`, 400],
    ['an empty method', ` / HTTP/1.1\r\n${host}\r\n`, 400],
    ['a non-token method', `G(T / HTTP/1.1\r\n${host}\r\n`, 400],
    ['an unknown method', `FOO / HTTP/1.1\r\n${host}\r\n`, 501],
    ['a lowercase method', `get / HTTP/1.1\r\n${host}\r\n`, 501],
    ['a method with a prefix', `0GET / HTTP/1.1\r\n${host}\r\n`, 501],
    ['a control character in the target', `GET /a\x01b HTTP/1.1\r\n${host}\r\n`, 400],
    ['DEL in the target', `GET /a\x7f HTTP/1.1\r\n${host}\r\n`, 400],
    ['obs-text in the target', `GET /caf\xe9 HTTP/1.1\r\n${host}\r\n`, 400],
    ['a target of no known form', `GET a/b HTTP/1.1\r\n${host}\r\n`, 400],
    ['a scheme with a digit', `GET h2://a/ HTTP/1.1\r\n${host}\r\n`, 400],
    ['a scheme without //', `GET http:a/ HTTP/1.1\r\n${host}\r\n`, 400],
    ['an empty authority', `GET http:///a HTTP/1.1\r\n${host}\r\n`, 400],
    ['a bad authority character', `GET http://a{b/ HTTP/1.1\r\n${host}\r\n`, 400],
    ['asterisk-form for GET', `GET * HTTP/1.1\r\n${host}\r\n`, 400],
    ['origin-form for CONNECT', `CONNECT / HTTP/1.1\r\n${host}\r\n`, 400],
    ['CONNECT without port', `CONNECT example.com HTTP/1.1\r\n${host}\r\n`, 400],
    ['CONNECT without host', `CONNECT :443 HTTP/1.1\r\n${host}\r\n`, 400],
    ['CONNECT with userinfo', `CONNECT u@example.com:443 HTTP/1.1\r\n${host}\r\n`, 400],
    ['a garbage version', `GET / HTTP/1.x\r\n${host}\r\n`, 400],
    ['a long version', `GET / HTTP/1.10\r\n${host}\r\n`, 400],
    ['HTTP/2.0', `GET / HTTP/2.0\r\n${host}\r\n`, 505],
    ['HTTP/1.2', `GET / HTTP/1.2\r\n${host}\r\n`, 505],
    ['HTTP/0.9', `GET / HTTP/0.9\r\n${host}\r\n`, 505],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nX-A: b\r\n\r\n', 400],
    ['two Host fields', `GET / HTTP/1.1\r\n${host}host: other\r\n\r\n`, 400],
    ['two Host fields in HTTP/1.0', `GET / HTTP/1.0\r\n${host}${host}\r\n`, 400],
  ])('refuses %s with %i', (_what, text, status) => {
    expect(parse(text)).toMatchObject({ kind: 'error', status });
  });

  it(`refuses more than ${MAX_HEADER_FIELDS} fields with 431`, () => {
    const lines = Array.from({ length: MAX_HEADER_FIELDS }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    expect(parse(`GET / HTTP/1.1\r\nHost: h\r\n${lines}\r\n`)).toMatchObject({ kind: 'error', status: 431 });
  });

  it('refuses a complete head longer than the limit with 431, and accepts it at exactly the limit', () => {
    const text = `GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ${'a'.repeat(100)}\r\n\r\n`;
    expect(parse(text, text.length - 1)).toMatchObject({ kind: 'error', status: 431 });
    expect(parse(text, text.length).kind).toBe('done');
  });

  it('refuses an incomplete head once it is over the limit with 431', () => {
    const text = `GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ${'a'.repeat(100)}`;
    expect(parse(text, text.length).kind).toBe('incomplete');
    expect(parse(text, text.length - 1)).toMatchObject({ kind: 'error', status: 431 });
  });

  it('refuses an incomplete head with a bare LF at once', () => {
    expect(parse('GET / HTTP/1.1\nHost: h')).toMatchObject({ kind: 'error', status: 400 });
  });
});
