import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HttpProxyServer, HttpProxyServerOptions } from '../http-proxy-server.js';
import type { RequestRecord } from './proxy-context.js';
import {
  countingUpstream,
  echoHandler,
  headerOf,
  parseResponses,
  RawClient,
  rawRequest,
  RawServer,
  scriptedUpstream,
  type RawRequest,
  type ScriptedUpstream,
  cleanupsAfterEach,
} from './engine-test-support.js';
import { pool, startProxy, waitFor } from './test-upstream.js';

const { track, client } = cleanupsAfterEach();
async function setup(
  reply: (req: RawRequest, socket: Socket, connIndex: number) => void,
  options: Partial<HttpProxyServerOptions> = {},
): Promise<{ u: ScriptedUpstream; proxy: HttpProxyServer; c: RawClient }> {
  const u = track(await scriptedUpstream(reply));
  const proxy = track(await startProxy(pool([u.endpoint]), options));
  return { u, proxy, c: await client(proxy) };
}

const OK_NEXT = 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext';

describe('engine: upstream faults', () => {
  const malformed: [string, string][] = [
    ['a malformed status line', 'HTTP/1.1 2x0 OK\r\ncontent-length: 2\r\n\r\nok'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nthis is not a header\r\ncontent-length: 2\r\n\r\nok'],
    ['whitespace before the colon', 'HTTP/1.1 200 OK\r\ncontent-length : 2\r\n\r\nok'],
    ['a head larger than maxHeadBytes', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(40 * 1024)}\r\ncontent-length: 2\r\n\r\nok`],
    ['both Content-Length and Transfer-Encoding', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
  ];
  for (const [what, bytes] of malformed) {
    it(`answers 502 with the request id to ${what}`, async () => {
      const { c } = await setup((_req, s) => s.write(bytes));
      const r = await c.request(rawRequest('GET', '/', ['X-Request-Id: req-77']));
      expect(r.status).toBe(502);
      expect(headerOf(r, 'x-request-id')).toBe('req-77');
      expect(r.body.toString()).toContain('request id: req-77');
    });
  }

  it('keeps the client connection usable after a 502', async () => {
    const { c } = await setup((req, s) => s.write(req.target === '/next' ? OK_NEXT : 'HTTP/1.1 abc\r\n\r\n'));
    expect((await c.request(rawRequest('GET', '/'))).status).toBe(502);
    expect((await c.request(rawRequest('GET', '/next'))).body.toString()).toBe('next');
  });

  // Bug: a GET whose reused keep-alive connection fails before any response byte (the upstream closed it while idle:
  // the keep-alive race) is only retried on another endpoint; with one endpoint the client gets a 502. nginx
  // retries such a cached connection on a fresh one without counting it as a try.
  it('retries a GET on a fresh connection when a reused one fails before any response (one endpoint)', async () => {
    const served = new Map<number, number>();
    const { c } = await setup((_req, s, conn) => {
      const n = (served.get(conn) ?? 0) + 1;
      served.set(conn, n);
      // Each connection answers once; the request reusing it finds it closed.
      if (n === 1) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      else s.destroy();
    });
    expect((await c.request(rawRequest('GET', '/1'))).status).toBe(200);
    expect((await c.request(rawRequest('GET', '/2'))).status).toBe(200);
  });

  it('answers 502 and closes when the upstream resets while the request body streams', async () => {
    let got = 0;
    const u = track(
      new RawServer((s) =>
        s.on('data', (d: Buffer) => {
          got += d.length;
          if (got > 2_000) s.resetAndDestroy();
        }),
      ),
    );
    await u.start();
    const proxy = track(await startProxy(pool([u.endpoint])));
    const c = await client(proxy);
    c.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5_000)}`);
    const [r] = await c.responses(1, ['POST']);
    expect(r?.status).toBe(502);
    expect(headerOf(r!, 'connection')).toBe('close');
    await c.waitClosed();
  });

  it('cuts the client when the upstream closes before Content-Length is reached', async () => {
    const { c } = await setup((_req, s) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789');
      setImmediate(() => s.destroy());
    });
    c.write(rawRequest('GET', '/'));
    await c.waitClosed();
    expect(c.text).toMatch(/^HTTP\/1\.1 200 /);
    // A truncated message, not a clean short response.
    expect(parseResponses(c.data, [], false).responses).toHaveLength(0);
    expect(c.text.endsWith('0123456789')).toBe(true);
  });

  it('cuts the client when a chunked upstream body ends before its last chunk', async () => {
    const { c } = await setup((_req, s) => {
      s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
      setImmediate(() => s.end());
    });
    c.write(rawRequest('GET', '/'));
    await c.waitClosed();
    expect(c.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(c.text).not.toContain('0\r\n\r\n');
  });

  it('does not pass bytes beyond Content-Length on, and does not reuse that upstream connection', async () => {
    const { u, c } = await setup((req, s) => {
      if (req.target === '/next') s.write(OK_NEXT);
      else s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nEXTRA');
    });
    const r = await c.request(rawRequest('GET', '/'));
    expect(r.body.toString()).toBe('hello');
    const r2 = await c.request(rawRequest('GET', '/next'));
    expect(r2.body.toString()).toBe('next');
    expect(c.text).not.toContain('EXTRA');
    expect(u.connections).toBe(2);
  });
});

describe('engine: client faults', () => {
  const smuggling: [string, string][] = [
    ['Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['two different Content-Lengths', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
    ['a Transfer-Encoding that does not end in chunked', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n'],
    ['an obs-folded header', 'GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n folded\r\n\r\n'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ];
  for (const [what, bytes] of smuggling) {
    it(`answers 400 to ${what} and sends nothing upstream`, async () => {
      const u = track(await countingUpstream(echoHandler));
      const proxy = track(await startProxy(pool([u.endpoint])));
      const c = await client(proxy);
      c.write(bytes + rawRequest('GET', '/after'));
      await c.waitClosed();
      const rs = parseResponses(c.data, [], true).responses;
      expect(rs.map((r) => r.status)).toEqual([400]);
      expect(u.connections).toBe(0);
    });
  }

  it('answers 431 to an oversized request head and closes', async () => {
    const u = track(await countingUpstream(echoHandler));
    const proxy = track(await startProxy(pool([u.endpoint])));
    const c = await client(proxy);
    c.write(rawRequest('GET', '/', [`X-Big: ${'a'.repeat(20 * 1024)}`]));
    await c.waitClosed();
    const [r] = await c.responses(1);
    expect(r?.status).toBe(431);
    expect(u.connections).toBe(0);
  });

  it('cuts a slowloris that keeps dribbling head bytes on a keep-alive connection (clientHeadersMs)', async () => {
    const u = track(await countingUpstream(echoHandler));
    const proxy = track(await startProxy(pool([u.endpoint]), { timeouts: { clientHeadersMs: 300 } }));
    const c = await client(proxy);
    expect((await c.request(rawRequest('GET', '/first'))).status).toBe(200);
    c.clear();
    // The second head never ends: one byte every 20 ms keeps the socket busy but must not extend the deadline.
    const dribble = setInterval(() => c.write('x'), 20);
    c.write('GET /second HTTP/1.1\r\nHost: t\r\nX-Slow: ');
    try {
      await c.waitClosed(10_000);
    } finally {
      clearInterval(dribble);
    }
    for (const r of parseResponses(c.data, [], true).responses) expect(r.status).toBe(408);
    expect(u.connections).toBe(1);
  });

  it('answers 408 or cuts a client whose body is slower than clientRequestMs', async () => {
    const u = track(await countingUpstream(echoHandler));
    const proxy = track(await startProxy(pool([u.endpoint]), { timeouts: { clientRequestMs: 200 } }));
    const c = await client(proxy);
    c.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab');
    await c.waitClosed(10_000);
    const { responses } = parseResponses(c.data, ['POST'], true);
    for (const r of responses) expect(r.status).toBe(408);
  });

  // Bug: the 'request' deadline set when the head is parsed is never cleared when the request is complete, so a
  // slow upstream answer to a fully received request is replaced by 408 (node's requestTimeout stops at the end
  // of the request, as timeouts.ts documents).
  it('clientRequestMs does not apply once the whole request was received', async () => {
    const u = track(
      await countingUpstream((req, res) => {
        req.resume();
        // A slow upstream: answers well after the client's request deadline.
        setTimeout(() => res.end('late'), 600);
      }),
    );
    const proxy = track(await startProxy(pool([u.endpoint]), { timeouts: { clientRequestMs: 100 } }));
    const c = await client(proxy);
    const r = await c.request(rawRequest('POST', '/', [], 'whole body'), 'POST');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('late');
  });

  // Bug: an upstream answer that arrives before the client finished its body is sent without `connection: close`,
  // yet the proxy closes the connection after it (the body is not read): the client is not told (RFC 9112 §9.6).
  it('says connection: close when it will close because the request body was not read', async () => {
    const u = track(new RawServer((s) => s.once('data', () => s.write('HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\nno'))));
    await u.start();
    const proxy = track(await startProxy(pool([u.endpoint])));
    const c = await client(proxy);
    c.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100)}`);
    const [r] = await c.responses(1, ['POST']);
    expect(r?.status).toBe(401);
    await c.waitClosed();
    expect(headerOf(r!, 'connection')).toBe('close');
  });

  it('closes the upstream connection and records 499 when the client leaves mid-body', async () => {
    let upstreamBytes = 0;
    let upstreamClosed = false;
    const u = track(
      new RawServer((s) => {
        s.on('data', (d: Buffer) => (upstreamBytes += d.length));
        s.on('close', () => (upstreamClosed = true));
      }),
    );
    await u.start();
    const records: RequestRecord[] = [];
    const proxy = track(await startProxy(pool([u.endpoint]), { observer: { onRequestDone: (r) => records.push(r) } }));
    const c = await client(proxy);
    c.write('POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
    await waitFor(() => upstreamBytes > 1000, 5_000, 'the body to reach the upstream');
    c.destroy();
    await waitFor(() => upstreamClosed, 5_000, 'the upstream connection to close');
    await waitFor(() => records.length === 1, 5_000, 'the observer record');
    expect(records[0]).toMatchObject({ status: 499, method: 'POST', path: '/upload' });
  });
});

describe('engine: per-route body limit', () => {
  async function limitedProxy(): Promise<HttpProxyServer> {
    const u = track(await countingUpstream(echoHandler));
    const p = pool([u.endpoint]);
    return track(
      await startProxy(p, {
        resolve: (req) => (req.url?.startsWith('/small') === true ? { pool: p, forwardPath: req.url, maxBodyBytes: 10 } : { pool: p, forwardPath: req.url ?? '/' }),
      }),
    );
  }
  const body = 'x'.repeat(50);
  const chunked = (path: string): string =>
    `POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${['8', '8', '8', '8'].map((n) => `${n}\r\n${'y'.repeat(8)}\r\n`).join('')}0\r\n\r\n`;

  it('answers 413 to a larger Content-Length on the limited route; another route takes the body', async () => {
    const proxy = await limitedProxy();
    const c = await client(proxy);
    const r = await c.request(rawRequest('POST', '/small', [], body), 'POST');
    expect(r.status).toBe(413);
    await c.waitClosed();
    const c2 = await client(proxy);
    const r2 = await c2.request(rawRequest('POST', '/big', [], body), 'POST');
    expect(r2.status).toBe(200);
    expect(r2.body.toString()).toBe(`POST /big\n${body}`);
  });

  it('answers 413 to a chunked body that grows past the limit; another route takes the body', async () => {
    const proxy = await limitedProxy();
    const c = await client(proxy);
    c.write(chunked('/small'));
    const [r] = await c.responses(1, ['POST']);
    expect(r?.status).toBe(413);
    await c.waitClosed();
    const c2 = await client(proxy);
    const r2 = await c2.request(chunked('/big'), 'POST');
    expect(r2.status).toBe(200);
    expect(r2.body.toString()).toBe(`POST /big\n${'y'.repeat(32)}`);
  });

  it('takes a body within the route limit', async () => {
    const proxy = await limitedProxy();
    const c = await client(proxy);
    const r = await c.request(rawRequest('POST', '/small', [], '0123456789'), 'POST');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('POST /small\n0123456789');
  });
});
