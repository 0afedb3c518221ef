import type { ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { BodyFraming } from '../http1/framing.js';
import type { ResponseHead } from '../http1/head.js';
import { compress } from '../middlewares/compress.js';
import { headerOf, RawClient, rawRequest } from './engine-test-support.js';
import { chooseCoding, shouldCompress } from './response-compression.js';
import { pool, startProxy, upstream } from './test-upstream.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const JSON_BODY = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) });

/** A proxy with `compress` in front of an upstream answering `reply`. */
async function setup(reply: (res: ServerResponse, path: string) => void): Promise<RawClient> {
  const u = await upstream((req, res) => {
    req.resume();
    reply(res, req.url ?? '/');
  });
  cleanups.push(() => u.close());
  const proxy = await startProxy(pool([u.endpoint]), { middlewares: [compress()] });
  cleanups.push(() => proxy.close());
  const c = await RawClient.connect(proxy.port);
  cleanups.push(() => c.destroy());
  return c;
}

const json = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON_BODY), etag: '"v1"' }).end(JSON_BODY);
};

describe('response compression', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['*', 'gzip'],
    ['identity', undefined],
    ['gzip;q=0', undefined],
    [undefined, undefined],
  ])('chooses a coding for Accept-Encoding %s → %s', (accept, expected) => {
    expect(chooseCoding(accept)).toBe(expected);
  });

  const head = (status: number, headers: Record<string, string>): ResponseHead => ({
    status, reason: '', versionMinor: 1, names: Object.keys(headers), lowerNames: Object.keys(headers), values: Object.values(headers),
  });
  it.each([
    [200, { 'content-type': 'text/html; charset=utf-8' }, { kind: 'chunked' }, true],
    [200, { 'content-type': 'application/json' }, { kind: 'length', length: 5_000 }, true],
    [200, { 'content-type': 'application/json' }, { kind: 'length', length: 100 }, false],
    [200, { 'content-type': 'image/png' }, { kind: 'length', length: 5_000 }, false],
    [200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, { kind: 'chunked' }, false],
    [200, { 'content-type': 'text/plain', 'cache-control': 'no-transform' }, { kind: 'chunked' }, false],
    [206, { 'content-type': 'text/plain' }, { kind: 'chunked' }, false],
    [204, { 'content-type': 'text/plain' }, { kind: 'none' }, false],
  ] as const)('status %d with %j and %j → compress %s', (status, headers, framing, expected) => {
    expect(shouldCompress(head(status, headers), framing as BodyFraming)).toBe(expected);
  });

  it('gzips a JSON answer for a client that accepts it: chunked, Vary, weak ETag, and the connection stays usable', async () => {
    const c = await setup(json);
    const r = await c.request(rawRequest('GET', '/', ['Accept-Encoding: gzip']));
    expect(r.status).toBe(200);
    expect(headerOf(r, 'content-encoding')).toBe('gzip');
    expect(headerOf(r, 'content-length')).toBeUndefined();
    expect(r.framing).toBe('chunked');
    expect(headerOf(r, 'vary')).toBe('Accept-Encoding');
    expect(headerOf(r, 'etag')).toBe('W/"v1"');
    expect(zlib.gunzipSync(r.body).toString()).toBe(JSON_BODY);
    expect(r.body.length).toBeLessThan(JSON_BODY.length / 3);
    const again = await c.request(rawRequest('GET', '/again', ['Accept-Encoding: br']));
    expect(headerOf(again, 'content-encoding')).toBe('br');
    expect(zlib.brotliDecompressSync(again.body).toString()).toBe(JSON_BODY);
  });

  it('compresses a chunked upstream body, and sends it close-delimited to an HTTP/1.0 client', async () => {
    const c = await setup((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      for (let i = 0; i < 50; i++) res.write(`<p>paragraph ${i} ${'lorem ipsum '.repeat(10)}</p>\n`);
      res.end();
    });
    c.write('GET / HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n');
    await c.waitClosed();
    const [r] = await c.responses(1, ['GET'], 5_000);
    expect(headerOf(r!, 'content-encoding')).toBe('gzip');
    expect(headerOf(r!, 'connection')).toBe('close');
    expect(zlib.gunzipSync(r!.body).toString()).toContain('<p>paragraph 49 ');
  });

  it('leaves identity for clients that do not accept a coding, and small or already encoded bodies as they are', async () => {
    const c = await setup((res, path) => {
      if (path === '/small') res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('hi');
      else if (path === '/encoded') res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(zlib.gzipSync(JSON_BODY));
      else json(res);
    });
    const plain = await c.request(rawRequest('GET', '/', []));
    expect(headerOf(plain, 'content-encoding')).toBeUndefined();
    expect(plain.body.toString()).toBe(JSON_BODY);
    const small = await c.request(rawRequest('GET', '/small', ['Accept-Encoding: gzip']));
    expect(headerOf(small, 'content-encoding')).toBeUndefined();
    expect(small.body.toString()).toBe('hi');
    const encoded = await c.request(rawRequest('GET', '/encoded', ['Accept-Encoding: br']));
    expect(headerOf(encoded, 'content-encoding')).toBe('gzip');
    expect(zlib.gunzipSync(encoded.body).toString()).toBe(JSON_BODY);
  });
});
