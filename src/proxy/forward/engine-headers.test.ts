import { describe, expect, it } from 'vitest';
import type { HttpProxyServer } from '../http-proxy-server.js';
import { headerOf, RawClient, rawRequest, scriptedUpstream, valuesOf, type ScriptedUpstream, cleanupsAfterEach } from './engine-test-support.js';
import { pool, startProxy } from './test-upstream.js';

const { track, defer } = cleanupsAfterEach();

/** A raw upstream answering every request with `response`, a proxy in front, and a raw client. */
async function setup(response: string): Promise<{ u: ScriptedUpstream; proxy: HttpProxyServer; c: RawClient }> {
  const u = track(await scriptedUpstream((_req, s) => s.write(response)));
  const proxy = track(await startProxy(pool([u.endpoint])));
  const c = await RawClient.connect(proxy.port);
  defer(() => c.destroy());
  return { u, proxy, c };
}
const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** Header lines of a raw head (without the request or status line). */
function lines(head: string): string[] {
  return head.split('\r\n').slice(1).filter((l) => l !== '');
}
function named(head: string, name: string): string[] {
  const lower = name.toLowerCase();
  return lines(head)
    .filter((l) => l.slice(0, l.indexOf(':')).toLowerCase() === lower)
    .map((l) => l.slice(l.indexOf(':') + 1).trim());
}

describe('engine: request headers on the way up', () => {
  it('drops hop-by-hop headers and those named in Connection', async () => {
    const { u, c } = await setup(OK);
    await c.request(
      rawRequest('GET', '/', [
        'Connection: keep-alive, X-Secret',
        'X-Secret: 1',
        'Keep-Alive: timeout=5',
        'TE: trailers',
        'Proxy-Authorization: Basic Zm9vOmJhcg==',
        'Proxy-Connection: keep-alive',
        'Upgrade: h2c',
        'X-Kept: yes',
      ]),
    );
    const head = u.received[0]?.head ?? '';
    for (const name of ['x-secret', 'keep-alive', 'te', 'proxy-authorization', 'proxy-connection', 'upgrade']) {
      expect(named(head, name), name).toEqual([]);
    }
    // A `connection` header the proxy sets itself must not carry the client's tokens.
    expect(named(head, 'connection').join(',')).not.toMatch(/x-secret/i);
    expect(named(head, 'x-kept')).toEqual(['yes']);
  });

  it('passes repeated headers on as separate lines, with the name case as sent', async () => {
    const { u, c } = await setup(OK);
    await c.request(rawRequest('GET', '/', ['x-a: 1', 'X-CamelCase-Header: v', 'x-a: 2']));
    const head = u.received[0]?.head ?? '';
    expect(named(head, 'x-a')).toEqual(['1', '2']);
    expect(lines(head)).toContain('X-CamelCase-Header: v');
  });

  it("appends the client address to the client's X-Forwarded-For and sets the edge headers", async () => {
    const { u, c } = await setup(OK);
    await c.request(rawRequest('GET', '/', ['X-Forwarded-For: 203.0.113.7', 'X-Real-IP: 6.6.6.6', 'X-Forwarded-Proto: gopher']));
    const head = u.received[0]?.head ?? '';
    expect(named(head, 'x-forwarded-for')).toEqual(['203.0.113.7, 127.0.0.1']);
    expect(named(head, 'x-real-ip')).toEqual(['127.0.0.1']);
    expect(named(head, 'x-forwarded-proto')).toEqual(['http']);
    expect(named(head, 'x-forwarded-host')).toEqual(['t']);
    expect(named(head, 'host')).toEqual(['t']);
    expect(named(head, 'x-request-id')).toHaveLength(1);
  });
});

describe('engine: response headers on the way down', () => {
  it('drops hop-by-hop headers and those named in Connection', async () => {
    const { c } = await setup(
      'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Up-Secret\r\nX-Up-Secret: 1\r\nKeep-Alive: timeout=5\r\n' +
        'Proxy-Authenticate: Basic\r\nUpgrade: h2c\r\nX-Kept: yes\r\ncontent-length: 2\r\n\r\nok',
    );
    const r = await c.request(rawRequest('GET', '/'));
    expect(r.body.toString()).toBe('ok');
    for (const name of ['x-up-secret', 'keep-alive', 'proxy-authenticate', 'upgrade', 'connection']) {
      expect(valuesOf(r, name), name).toEqual([]);
    }
    expect(headerOf(r, 'x-kept')).toBe('yes');
  });

  it('passes two set-cookie lines on as two lines', async () => {
    const { c } = await setup('HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2, c=3\r\ncontent-length: 2\r\n\r\nok');
    const r = await c.request(rawRequest('GET', '/'));
    expect(valuesOf(r, 'set-cookie')).toEqual(['a=1; Path=/', 'b=2, c=3']);
  });

  it("keeps the upstream's own x-request-id and adds one otherwise", async () => {
    const own = await setup('HTTP/1.1 200 OK\r\nX-Request-Id: up-1\r\ncontent-length: 2\r\n\r\nok');
    const r = await own.c.request(rawRequest('GET', '/', ['X-Request-Id: client-1']));
    expect(valuesOf(r, 'x-request-id')).toEqual(['up-1']);
    const plain = await setup(OK);
    const r2 = await plain.c.request(rawRequest('GET', '/', ['X-Request-Id: client-2']));
    expect(valuesOf(r2, 'x-request-id')).toEqual(['client-2']);
    expect(named(plain.u.received[0]?.head ?? '', 'x-request-id')).toEqual(['client-2']);
  });
});
