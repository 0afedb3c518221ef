import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HttpProxyServer } from '../http-proxy-server.js';
import {
  countingUpstream,
  headerOf,
  RawClient,
  rawRequest,
  scriptedUpstream,
  type RawRequest,
  type ScriptedUpstream,
  cleanupsAfterEach,
} from './engine-test-support.js';
import { pool, startProxy } from './test-upstream.js';

const { track, defer } = cleanupsAfterEach();

/** A proxy in front of a raw upstream that answers each request with `reply`, and a raw client to it. */
async function setup(
  reply: (req: RawRequest, socket: Socket, connIndex: number) => void,
): Promise<{ u: ScriptedUpstream; proxy: HttpProxyServer; c: RawClient }> {
  const u = track(await scriptedUpstream(reply));
  const proxy = track(await startProxy(pool([u.endpoint])));
  const c = await RawClient.connect(proxy.port);
  defer(() => c.destroy());
  return { u, proxy, c };
}

const OK_NEXT = 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext';

describe('engine: upstream response framing', () => {
  it('passes a Content-Length body on and keeps both connections', async () => {
    const { u, c } = await setup((req, s) => {
      const body = `body of ${req.target}`;
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`);
      s.write(body);
    });
    for (const path of ['/a', '/b', '/c']) {
      const r = await c.request(rawRequest('GET', path));
      expect(r.framing).toBe('length');
      expect(r.body.toString()).toBe(`body of ${path}`);
    }
    expect(u.connections).toBe(1);
  });

  it('passes a chunked body with trailers on, message boundaries intact', async () => {
    const { u, c } = await setup((req, s) => {
      if (req.target === '/next') return void s.write(OK_NEXT);
      s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n6\r\nhello \r\n');
      setImmediate(() => s.write('5;ext=1\r\nworld\r\n0\r\nx-checksum: abc\r\n\r\n'));
    });
    const r = await c.request(rawRequest('GET', '/chunks'));
    expect(r.status).toBe(200);
    expect(r.framing).toBe('chunked');
    expect(r.body.toString()).toBe('hello world');
    expect(r.trailers).toEqual([['x-checksum', 'abc']]);
    expect((await c.request(rawRequest('GET', '/next'))).body.toString()).toBe('next');
    expect(u.connections).toBe(1);
  });

  it('passes a close-delimited body (HTTP/1.0 upstream, no length) on whole, then closes the client', async () => {
    const { c } = await setup((_req, s) => {
      s.write('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nfirst part, ');
      setImmediate(() => s.end('second part'));
    });
    c.write(rawRequest('GET', '/'));
    await c.waitClosed();
    const [r] = await c.responses(1);
    expect(r?.status).toBe(200);
    expect(r?.framing).toBe('close');
    expect(r?.body.toString()).toBe('first part, second part');
    expect(headerOf(r!, 'connection')).toBe('close');
  });

  it('sends no body for HEAD even though the upstream declares a length', async () => {
    const { u, c } = await setup((req, s) => {
      if (req.method === 'HEAD') s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n');
      else s.write(OK_NEXT);
    });
    c.write(rawRequest('HEAD', '/') + rawRequest('GET', '/next'));
    const rs = await c.responses(2, ['HEAD', 'GET']);
    expect(headerOf(rs[0]!, 'content-length')).toBe('100');
    // The second response starts right after the first head: no body bytes in between.
    expect(c.text.indexOf('HTTP/1.1 200 OK', 1)).toBe(c.text.indexOf('\r\n\r\n') + 4);
    expect(rs[1]?.body.toString()).toBe('next');
    expect(u.connections).toBe(1);
  });

  for (const status of [204, 304]) {
    it(`sends no body for ${status} even though the upstream declares a length`, async () => {
      const { c } = await setup((req, s) => {
        if (req.target === '/next') s.write(OK_NEXT);
        else s.write(`HTTP/1.1 ${status} X\r\ncontent-length: 7\r\netag: "e"\r\n\r\n`);
      });
      c.write(rawRequest('GET', '/') + rawRequest('GET', '/next'));
      const rs = await c.responses(2);
      expect(rs[0]?.status).toBe(status);
      expect(headerOf(rs[0]!, 'etag')).toBe('"e"');
      expect(c.text.indexOf('HTTP/1.1 200 OK')).toBe(c.text.indexOf('\r\n\r\n') + 4);
      expect(rs[1]?.body.toString()).toBe('next');
    });
  }

  it('drops body bytes an upstream sent to HEAD and does not reuse that connection', async () => {
    const { u, c } = await setup((req, s) => {
      if (req.method === 'HEAD') s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
      else s.write(OK_NEXT);
    });
    c.write(rawRequest('HEAD', '/') + rawRequest('GET', '/next'));
    const rs = await c.responses(2, ['HEAD', 'GET']);
    expect(rs[1]?.body.toString()).toBe('next');
    expect(c.text).not.toContain('hello');
    expect(u.connections).toBe(2);
  });

  it('drops body bytes an upstream sent with a 204 and does not reuse that connection', async () => {
    const { u, c } = await setup((req, s) => {
      if (req.target === '/next') s.write(OK_NEXT);
      else s.write('HTTP/1.1 204 No Content\r\n\r\nstray');
    });
    c.write(rawRequest('GET', '/') + rawRequest('GET', '/next'));
    const rs = await c.responses(2);
    expect(rs.map((r) => r.status)).toEqual([204, 200]);
    expect(c.text).not.toContain('stray');
    expect(u.connections).toBe(2);
  });

  it('reads an upstream response sent one byte per write, for 1.1 and 1.0 clients', async () => {
    const response = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-a: b\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const { proxy, c } = await setup((_req, s) => {
      let i = 0;
      const step = (): void => {
        if (i >= response.length) return;
        s.write(response[i++] as string);
        setImmediate(step);
      };
      step();
    });
    for (let k = 0; k < 2; k++) {
      const r = await c.request(rawRequest('GET', '/'));
      expect(headerOf(r, 'x-a')).toBe('b');
      expect(r.body.toString()).toBe('hello world');
    }
    const old = await RawClient.connect(proxy.port);
    defer(() => old.destroy());
    old.write('GET / HTTP/1.0\r\nHost: t\r\n\r\n');
    await old.waitClosed();
    expect(old.text.slice(old.text.indexOf('\r\n\r\n') + 4)).toBe('hello world');
  });

  it('passes several 103s on and drops an unsolicited 100 Continue', async () => {
    const { c } = await setup((_req, s) =>
      s.write(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: <a>\r\n\r\n' +
          'HTTP/1.1 103 Early Hints\r\nlink: <b>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok',
      ),
    );
    c.write(rawRequest('GET', '/'));
    const rs = await c.responses(3);
    expect(rs.map((r) => r.status)).toEqual([103, 103, 200]);
    expect(rs.map((r) => headerOf(r, 'link'))).toEqual(['<a>', '<b>', undefined]);
    expect(rs[2]?.body.toString()).toBe('ok');
  });

  it('streams both ways at once: an upstream that echoes the body while it is still being sent', async () => {
    const u = track(
      await countingUpstream((req, res) => {
        res.writeHead(200);
        req.pipe(res);
      }),
    );
    const proxy = track(await startProxy(pool([u.endpoint])));
    const c = await RawClient.connect(proxy.port);
    defer(() => c.destroy());
    const body = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    c.write(Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    const [r] = await c.responses(1, ['POST'], 30_000);
    expect(r?.body.equals(body)).toBe(true);
    // The answer started before the body was read: the proxy says it will close, and does (RFC 9112 §9.6).
    expect(headerOf(r!, 'connection')).toBe('close');
    await c.waitClosed();
    expect(u.connections).toBe(1);
  });

  it('passes 103 Early Hints to an HTTP/1.1 client before the final response', async () => {
    const { c } = await setup((_req, s) => {
      s.write('HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n');
      setImmediate(() => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    });
    c.write(rawRequest('GET', '/'));
    const rs = await c.responses(2);
    expect(rs.map((r) => r.status)).toEqual([103, 200]);
    expect(headerOf(rs[0]!, 'link')).toBe('</style.css>; rel=preload');
    expect(rs[1]?.body.toString()).toBe('ok');
  });

  it('does not pass 103 Early Hints to an HTTP/1.0 client', async () => {
    const { c } = await setup((_req, s) => {
      s.write('HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n');
      setImmediate(() => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    });
    c.write('GET / HTTP/1.0\r\nHost: t\r\n\r\n');
    await c.waitClosed();
    const rs = await c.responses(1);
    expect(rs.map((r) => r.status)).toEqual([200]);
    expect(rs[0]?.body.toString()).toBe('ok');
  });
});
