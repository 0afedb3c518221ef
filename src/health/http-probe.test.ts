import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { httpProbe } from './http-probe.js';
import { runProbe } from './run-probe.js';
import { closedPort, startHttpServer, type TestServer, waitFor } from './test-helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: http.RequestListener): Promise<TestServer> {
  const server = await startHttpServer(handler);
  servers.push(server);
  return server;
}

const check = (probe: ReturnType<typeof httpProbe>) => probe.check(new AbortController().signal);

describe('httpProbe', () => {
  it('passes on 200 and sends a plain GET of the path with its query', async () => {
    const seen: string[] = [];
    const server = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['user-agent']} ${req.headers.connection}`);
      res.end('ok');
    });
    const result = await check(httpProbe({ endpoint: server.endpoint, path: '/health?full=1' }));
    expect(result).toEqual({ ok: true, ms: expect.any(Number) });
    expect(seen).toEqual(['GET /health?full=1 berth-health close']);
  });

  it('passes on a redirect without following it', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/health' ? 302 : 500, { location: '/elsewhere' }).end();
    });
    expect((await check(httpProbe({ endpoint: server.endpoint, path: '/health' }))).ok).toBe(true);
  });

  it('fails on 500 with the status and the start of the body', async () => {
    const server = await serve((_req, res) => res.writeHead(500).end('database\n  is down\n'));
    const result = await check(httpProbe({ endpoint: server.endpoint, path: '/health' }));
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'HTTP 500 Internal Server Error (expected 2xx or 3xx): database is down' });
  });

  it('cuts a long error body to 200 characters', async () => {
    const server = await serve((_req, res) => res.writeHead(503).end('x'.repeat(100_000)));
    const result = await check(httpProbe({ endpoint: server.endpoint, path: '/' }));
    expect(result.ok ? '' : result.reason).toBe(`HTTP 503 Service Unavailable (expected 2xx or 3xx): ${'x'.repeat(200)}`);
  });

  it('with an expected status, passes only on that status', async () => {
    const server = await serve((req, res) => res.writeHead(req.url === '/ready' ? 204 : 200).end());
    expect((await check(httpProbe({ endpoint: server.endpoint, path: '/ready', status: 204 }))).ok).toBe(true);
    const result = await check(httpProbe({ endpoint: server.endpoint, path: '/other', status: 204 }));
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'HTTP 200 OK (expected 204)' });
  });

  it('fails when the server does not answer in time, and drops the connection', async () => {
    const server = await serve(() => undefined);
    const result = await runProbe(httpProbe({ endpoint: server.endpoint, path: '/health' }), { timeoutMs: 100 });
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'timed out after 100ms' });
    expect(result.ms).toBeGreaterThanOrEqual(90);
    await waitFor(() => server.connections().open === 0, 'the probe connection to close');
  });

  it('fails with "connection refused" when nothing listens', async () => {
    const endpoint = await closedPort();
    const result = await check(httpProbe({ endpoint, path: '/health' }));
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: `connection refused by 127.0.0.1:${endpoint.port}` });
  });

  it('opens a new connection for every check (no keep-alive)', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const probe = httpProbe({ endpoint: server.endpoint, path: '/' });
    await check(probe);
    await check(probe);
    expect(server.connections().accepted).toBe(2);
    await waitFor(() => server.connections().open === 0, 'both connections to close');
  });

  it('fails at once with the abort reason when the signal is already aborted', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    const result = await httpProbe({ endpoint: server.endpoint, path: '/' }).check(controller.signal);
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'shutting down' });
    expect(server.connections().accepted).toBe(0);
  });
});
