import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpProxyServer } from './http-proxy-server.js';
import { UpstreamConnections } from './upstream/upstream-connections.js';
import type { Middleware, RequestRecord } from './forward/proxy-context.js';
import {
  deadPort,
  okUpstream,
  pool,
  send,
  sendRaw,
  startProxy,
  upstream,
  waitFor,
  type TestUpstream,
} from './forward/test-upstream.js';
import { cleanupsAfterEach } from './forward/engine-test-support.js';

const { track, defer } = cleanupsAfterEach();
async function ups(n: number): Promise<TestUpstream[]> {
  return Promise.all(Array.from({ length: n }, async () => track(await okUpstream())));
}

describe('HttpProxyServer routing and balancing', () => {
  it('answers 404 with the request id when resolve finds no route', async () => {
    const proxy = track(await startProxy(pool([]), { resolve: () => undefined }));
    const r = await send(proxy.port, { headers: { 'x-request-id': 'abc-123' } });
    expect(r.status).toBe(404);
    expect(r.headers['x-request-id']).toBe('abc-123');
    expect(r.body).toContain('request id: abc-123');
  });

  it('sends the forward path the resolver chose', async () => {
    const u = track(await upstream((req, res) => res.end(req.url)));
    const p = pool([u.endpoint]);
    const proxy = track(await startProxy(p, { resolve: (req) => ({ pool: p, forwardPath: (req.url ?? '/').replace(/^\/api/, '') || '/' }) }));
    expect((await send(proxy.port, { path: '/api/users?x=1' })).body).toBe('/users?x=1');
  });

  it('round robin spreads requests evenly over 3 upstreams', async () => {
    const us = await ups(3);
    const proxy = track(await startProxy(pool(us.map((u) => u.endpoint))));
    for (let i = 0; i < 30; i++) expect((await send(proxy.port)).status).toBe(200);
    expect(us.map((u) => u.seen.length)).toEqual([10, 10, 10]);
  });

  it('weights split traffic proportionally', async () => {
    const us = await ups(2);
    const proxy = track(await startProxy(pool([{ ...us[0]!.endpoint, weight: 3 }, { ...us[1]!.endpoint, weight: 1 }])));
    for (let i = 0; i < 40; i++) await send(proxy.port);
    expect(us.map((u) => u.seen.length)).toEqual([30, 10]);
  });

  it('least-conn sends new requests away from an upstream busy with slow requests', async () => {
    const held: http.ServerResponse[] = [];
    const slow = track(await upstream((_req, res) => held.push(res)));
    const fast = track(await okUpstream());
    const p = pool([slow.endpoint, fast.endpoint], { balancer: 'least-conn' });
    const proxy = track(await startProxy(p));
    const pending = [send(proxy.port), send(proxy.port)];
    await waitFor(() => held.length === 1, 5_000, 'one request held by the slow upstream');
    for (let i = 0; i < 10; i++) expect((await send(proxy.port)).status).toBe(200);
    expect(slow.seen.length).toBe(1);
    expect(fast.seen.length).toBe(11);
    for (const r of held) r.end('slow');
    await Promise.all(pending);
  });
});

describe('HttpProxyServer header forwarding', () => {
  it('sets X-Forwarded-*, X-Real-IP, X-Request-Id and drops hop-by-hop headers both ways', async () => {
    const u = track(
      await upstream((_req, res) => {
        res.writeHead(200, { 'x-from-upstream': 'yes', 'keep-alive': 'timeout=5', 'x-secret-hop': 'drop', connection: 'x-secret-hop' });
        res.end('ok');
      }),
    );
    const proxy = track(await startProxy(pool([u.endpoint])));
    const r = await send(proxy.port, {
      path: '/p',
      headers: {
        host: 'app.example.com',
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-proto': 'https',
        'x-real-ip': '6.6.6.6',
        connection: 'x-private',
        'x-private': 'secret',
        'proxy-authorization': 'Basic eA==',
        te: 'trailers',
        'x-custom': 'kept',
      },
    });
    expect(r.status).toBe(200);
    const h = u.seen[0]!.headers;
    expect(h.host).toBe('app.example.com');
    expect(h['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('app.example.com');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(h['x-custom']).toBe('kept');
    expect(h['x-private']).toBeUndefined();
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(r.headers['x-from-upstream']).toBe('yes');
    expect(r.headers['x-secret-hop']).toBeUndefined();
    expect(r.headers['x-request-id']).toBe(h['x-request-id']);
  });

  it('keeps a client request id and replaces an unsafe one', async () => {
    const u = track(await okUpstream());
    const proxy = track(await startProxy(pool([u.endpoint])));
    await send(proxy.port, { headers: { 'x-request-id': 'client-id.1' } });
    await send(proxy.port, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(u.seen[0]!.headers['x-request-id']).toBe('client-id.1');
    expect(u.seen[1]!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HttpProxyServer errors and retries', () => {
  it('answers 503 with the request id when the pool has no endpoint', async () => {
    const proxy = track(await startProxy(pool([])));
    const r = await send(proxy.port, { headers: { 'x-request-id': 'rid-503' } });
    expect(r.status).toBe(503);
    expect(r.body).toContain('rid-503');
  });

  it('answers 502 with the request id when no endpoint accepts connections', async () => {
    const proxy = track(await startProxy(pool([{ host: '127.0.0.1', port: await deadPort() }])));
    const r = await send(proxy.port, { headers: { 'x-request-id': 'rid-502' } });
    expect(r.status).toBe(502);
    expect(r.headers['x-request-id']).toBe('rid-502');
    expect(r.body).toBe('502 Bad Gateway\nrequest id: rid-502\n');
  });

  it.each(['GET', 'POST'])('retries a refused connection on another endpoint for %s', async (method) => {
    const u = track(await okUpstream());
    const records: RequestRecord[] = [];
    const proxy = track(
      await startProxy(pool([{ host: '127.0.0.1', port: await deadPort() }, u.endpoint]), {
        observer: { onRequestDone: (r) => records.push(r) },
      }),
    );
    const r = await send(proxy.port, { method, body: method === 'POST' ? 'payload' : undefined });
    expect(r.status).toBe(200);
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ status: 200, tries: 2, upstream: `127.0.0.1:${u.port}`, method });
  });

  it('retries a GET whose connection was reset before the response, but not a POST', async () => {
    const reset = track(await upstream((req) => req.socket.resetAndDestroy()));
    const good = track(await okUpstream());
    // A fresh pool's first pick is its first endpoint.
    const forGet = track(await startProxy(pool([reset.endpoint, good.endpoint])));
    expect((await send(forGet.port, { method: 'GET' })).status).toBe(200);
    expect([reset.seen.length, good.seen.length]).toEqual([1, 1]);
    const forPost = track(await startProxy(pool([reset.endpoint, good.endpoint])));
    const post = await send(forPost.port, { method: 'POST', body: 'x', headers: { 'x-request-id': 'post-1' } });
    expect(post.status).toBe(502);
    expect(post.body).toContain('post-1');
    expect([reset.seen.length, good.seen.length]).toEqual([2, 1]);
  });

  it('retries idempotent requests on 502/503/504 and passes the last answer on when tries run out', async () => {
    const bad = track(await upstream((_req, res) => res.writeHead(503).end('busy')));
    const good = track(await okUpstream());
    const proxy = track(await startProxy(pool([bad.endpoint, good.endpoint])));
    expect((await send(proxy.port, { method: 'GET' })).status).toBe(200);
    expect([bad.seen.length, good.seen.length]).toEqual([1, 1]);
    const onlyBad = track(await startProxy(pool([bad.endpoint])));
    const last = await send(onlyBad.port);
    expect(last.status).toBe(503);
    expect(last.body).toBe('busy');
  });

  it('a POST that got a 502 from upstream is not re-sent', async () => {
    const bad = track(await upstream((req, res) => req.resume().on('end', () => res.writeHead(502).end('upstream said 502'))));
    const good = track(await okUpstream());
    const proxy = track(await startProxy(pool([bad.endpoint, good.endpoint])));
    const r = await send(proxy.port, { method: 'POST', body: 'x' });
    expect(r.status).toBe(502);
    expect(r.body).toBe('upstream said 502');
    expect(good.seen.length).toBe(0);
  });

  it('gives up after max tries', async () => {
    const deads = await Promise.all([deadPort(), deadPort(), deadPort(), deadPort()]);
    const records: RequestRecord[] = [];
    const proxy = track(
      await startProxy(pool(deads.map((port) => ({ host: '127.0.0.1', port }))), {
        retry: { maxTries: 2 },
        observer: { onRequestDone: (r) => records.push(r) },
      }),
    );
    expect((await send(proxy.port)).status).toBe(502);
    await waitFor(() => records.length === 1);
    expect(records[0]!.tries).toBe(2);
  });
});

describe('HttpProxyServer timeouts', () => {
  it('a connect that does not complete in time is retried on another endpoint, even for POST', async () => {
    const good = track(await okUpstream());
    const hangPort = await deadPort();
    const hung: net.Socket[] = [];
    // Connections to `hangPort` never complete (like a SYN to a host that drops it).
    const connections = new UpstreamConnections({
      connect(host, port) {
        if (port !== hangPort) return net.connect({ host, port, noDelay: true });
        const s = new net.Socket();
        hung.push(s);
        return s;
      },
    });
    defer(() => connections.close());
    const records: RequestRecord[] = [];
    const proxy = track(
      await startProxy(pool([{ host: '127.0.0.1', port: hangPort }, good.endpoint]), {
        connections,
        timeouts: { connectMs: 100 },
        observer: { onRequestDone: (r) => records.push(r) },
      }),
    );
    expect((await send(proxy.port, { method: 'POST', body: 'payload' })).status).toBe(200);
    expect(hung.length).toBe(1);
    expect(hung[0]!.destroyed).toBe(true);
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ tries: 2, bytesIn: 7, upstream: `127.0.0.1:${good.port}` });
    const onlyHung = track(await startProxy(pool([{ host: '127.0.0.1', port: hangPort }]), { connections, timeouts: { connectMs: 100 } }));
    const r = await send(onlyHung.port, { headers: { 'x-request-id': 'ct-1' } });
    expect(r.status).toBe(504);
    expect(r.body).toContain('ct-1');
  });


  it('answers 504 when the upstream sends no response headers in time, after trying each endpoint', async () => {
    const held: http.ServerResponse[] = [];
    const a = track(await upstream((_req, res) => held.push(res)));
    const b = track(await upstream((_req, res) => held.push(res)));
    const proxy = track(await startProxy(pool([a.endpoint, b.endpoint]), { timeouts: { responseHeaderMs: 150 } }));
    const r = await send(proxy.port, { headers: { 'x-request-id': 'slow-1' } });
    expect(r.status).toBe(504);
    expect(r.body).toContain('slow-1');
    expect(a.seen.length + b.seen.length).toBe(2);
    for (const res of held) res.destroy();
  });

  it('answers 504 on the total timeout and cuts a response that is already streaming', async () => {
    const held: http.ServerResponse[] = [];
    const u = track(
      await upstream((req, res) => {
        held.push(res);
        if (req.url === '/stream') res.writeHead(200).write('partial');
      }),
    );
    const proxy = track(await startProxy(pool([u.endpoint]), { timeouts: { totalMs: 200 } }));
    expect((await send(proxy.port, { method: 'POST', body: 'x' })).status).toBe(504);
    await expect(send(proxy.port, { path: '/stream' })).rejects.toThrow();
    for (const res of held) res.destroy();
  });

  it('cuts the client when the upstream goes idle mid-response', async () => {
    const held: http.ServerResponse[] = [];
    const u = track(await upstream((_req, res) => (held.push(res), res.writeHead(200).write('partial'))));
    const proxy = track(await startProxy(pool([u.endpoint]), { timeouts: { idleMs: 150 } }));
    await expect(send(proxy.port)).rejects.toThrow();
    for (const res of held) res.destroy();
  });

  it('closes a client that sends headers too slowly (408)', async () => {
    const u = track(await okUpstream());
    const proxy = track(await startProxy(pool([u.endpoint]), { timeouts: { clientHeadersMs: 200 } }));
    const out = await sendRaw(proxy.port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ', 5_000);
    expect(out.startsWith('HTTP/1.1 408 ')).toBe(true);
    expect(u.seen.length).toBe(0);
  });
});

describe('HttpProxyServer lifecycle', () => {
  it('close() lets an in-flight request finish within the grace period, then stops listening', async () => {
    const held: http.ServerResponse[] = [];
    const u = track(await upstream((_req, res) => held.push(res)));
    const proxy = await startProxy(pool([u.endpoint]), { closeGraceMs: 5_000 });
    const port = proxy.port;
    const inflight = send(port);
    await waitFor(() => held.length === 1);
    const closing = proxy.close();
    held[0]!.end('finished');
    expect((await inflight).body).toBe('finished');
    await closing;
    await expect(send(port)).rejects.toThrow();
  });

  it('close() is safe when start() failed', async () => {
    const first = track(await startProxy(pool([])));
    const second = new HttpProxyServer({ host: '127.0.0.1', port: first.port, resolve: () => undefined });
    await expect(second.start()).rejects.toThrow();
    await second.close();
  });

  it('a resolver that throws costs one 500, not the process', async () => {
    const proxy = track(
      await startProxy(pool([]), {
        resolve: () => {
          throw new Error('bug');
        },
      }),
    );
    expect((await send(proxy.port)).status).toBe(500);
  });
});

describe('HttpProxyServer client aborts', () => {
  it('stops the upstream request when the client goes away mid-response', async () => {
    let upstreamClosed = false;
    const u = track(
      await upstream((req, res) => {
        res.writeHead(200).write('first');
        req.socket.once('close', () => (upstreamClosed = true));
      }),
    );
    const records: RequestRecord[] = [];
    const proxy = track(await startProxy(pool([u.endpoint]), { observer: { onRequestDone: (r) => records.push(r) } }));
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: proxy.port, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
    });
    await waitFor(() => upstreamClosed, 5_000, 'the upstream connection to close');
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ status: 200, bytesOut: 5 });
  });
});

describe('HttpProxyServer request checks', () => {
  it('answers 413 from Content-Length before contacting the upstream', async () => {
    const u = track(await okUpstream());
    const proxy = track(await startProxy(pool([u.endpoint]), { maxBodyBytes: 10 }));
    const r = await send(proxy.port, { method: 'POST', body: 'x'.repeat(11), headers: { 'x-request-id': 'big-1' } });
    expect(r.status).toBe(413);
    expect(r.body).toContain('big-1');
    expect(u.seen.length).toBe(0);
    expect((await send(proxy.port, { method: 'POST', body: 'x'.repeat(10) })).status).toBe(200);
  });

  it('answers 413 while streaming a chunked body past the limit', async () => {
    let received = 0;
    const u = track(await upstream((req, res) => req.on('data', (c: Buffer) => (received += c.length)).on('end', () => res.end('ok'))));
    const proxy = track(await startProxy(pool([u.endpoint]), { maxBodyBytes: 64 * 1024 }));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/', agent: false }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 1);
      let sent = 0;
      const pump = (): void => {
        while (sent < 1024 * 1024 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(received).toBeLessThanOrEqual(64 * 1024 + 16 * 1024);
  });

  const bad: [string, string][] = [
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['differing duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
    ['equal duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'],
    ['a transfer coding other than chunked last', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n'],
    ['two Transfer-Encoding headers', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n'],
    ['a non-numeric Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\nhello'],
    ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n'],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n'],
    ['bare LF line endings', 'GET / HTTP/1.1\nHost: a\n\n'],
    ['an invalid method', 'G@T / HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['no Host header', 'GET / HTTP/1.1\r\n\r\n'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ];
  it.each(bad)('rejects a request with %s (400) without contacting the upstream', async (_name, raw) => {
    const u = track(await okUpstream());
    const records: RequestRecord[] = [];
    const proxy = track(await startProxy(pool([u.endpoint]), { observer: { onRequestDone: (r) => records.push(r) } }));
    const out = await sendRaw(proxy.port, raw);
    expect(out.startsWith('HTTP/1.1 400 ')).toBe(true);
    expect(out).toMatch(/request id: [0-9a-f-]{36}/);
    expect(u.seen.length).toBe(0);
    await waitFor(() => records.length === 1);
    expect(records[0]!.status).toBe(400);
  });
});

it('answers 505 to an HTTP version it does not speak', async () => {
  const u = track(await okUpstream());
  const proxy = track(await startProxy(pool([u.endpoint])));
  const out = await sendRaw(proxy.port, 'GET / HTTP/9.9\r\nHost: a\r\n\r\n');
  expect(out.startsWith('HTTP/1.1 505 ')).toBe(true);
  expect(u.seen.length).toBe(0);
});

describe('HttpProxyServer middlewares and observer', () => {
  it('runs middlewares in order around forwarding; they can add response headers', async () => {
    const u = track(await okUpstream());
    const order: string[] = [];
    const a: Middleware = async (ctx, next) => {
      order.push('a>');
      ctx.res.setHeader('x-frame-options', 'DENY');
      await next();
      order.push(`<a ${ctx.res.statusCode}`);
    };
    const b: Middleware = async (_ctx, next) => {
      order.push('b>');
      await next();
      order.push('<b');
    };
    const proxy = track(await startProxy(pool([u.endpoint]), { middlewares: [a, b] }));
    const r = await send(proxy.port);
    expect(r.status).toBe(200);
    expect(r.headers['x-frame-options']).toBe('DENY');
    await waitFor(() => order.length === 4);
    expect(order).toEqual(['a>', 'b>', '<b', '<a 200']);
  });

  it('a response-headers hook sees and changes the upstream headers', async () => {
    const u = track(await upstream((_req, res) => res.writeHead(201, { server: 'leaky/1.0', 'x-a': '1' }).end()));
    const hide: Middleware = async (ctx, next) => {
      ctx.onResponseHeaders((status, headers) => {
        delete headers.server;
        headers['x-status-seen'] = String(status);
      });
      await next();
    };
    const proxy = track(await startProxy(pool([u.endpoint]), { middlewares: [hide] }));
    const r = await send(proxy.port);
    expect(r.status).toBe(201);
    expect(r.headers.server).toBeUndefined();
    expect(r.headers['x-status-seen']).toBe('201');
    expect(r.headers['x-a']).toBe('1');
  });

  it('a middleware can answer itself (short-circuit) and the upstream is not contacted', async () => {
    const u = track(await okUpstream());
    const deny: Middleware = async (ctx) => {
      ctx.res.writeHead(429, { 'retry-after': '1' }).end(`limited ${ctx.requestId}`);
    };
    const records: RequestRecord[] = [];
    const proxy = track(await startProxy(pool([u.endpoint]), { middlewares: [deny], observer: { onRequestDone: (r) => records.push(r) } }));
    const r = await send(proxy.port, { headers: { 'x-request-id': 'rl-1' } });
    expect(r.status).toBe(429);
    expect(r.body).toBe('limited rl-1');
    expect(u.seen.length).toBe(0);
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ status: 429, tries: 0, upstream: undefined, requestId: 'rl-1' });
  });

  it('answers 500 with the request id when a middleware throws', async () => {
    const u = track(await okUpstream());
    const boom: Middleware = async () => {
      throw new Error('boom');
    };
    const proxy = track(await startProxy(pool([u.endpoint]), { middlewares: [boom] }));
    const r = await send(proxy.port, { headers: { 'x-request-id': 'mw-500' } });
    expect(r.status).toBe(500);
    expect(r.body).toContain('mw-500');
  });

  it('tells the observer about each request with sizes, upstream and tries', async () => {
    const u = track(await upstream((req, res) => req.resume().on('end', () => res.end('0123456789'))));
    const records: RequestRecord[] = [];
    const proxy = track(await startProxy(pool([u.endpoint]), { observer: { onRequestDone: (r) => records.push(r) } }));
    await send(proxy.port, { method: 'PUT', path: '/x?y=1', body: 'abcde', headers: { host: 'h.example', 'x-request-id': 'obs-1' } });
    await waitFor(() => records.length === 1);
    const rec = records[0]!;
    expect(rec).toMatchObject({
      requestId: 'obs-1',
      method: 'PUT',
      host: 'h.example',
      path: '/x?y=1',
      route: 'test',
      status: 200,
      upstream: `127.0.0.1:${u.port}`,
      tries: 1,
      bytesIn: 5,
      bytesOut: 10,
      clientIp: '127.0.0.1',
    });
    expect(rec.durationMs).toBeGreaterThanOrEqual(0);
  });
});
