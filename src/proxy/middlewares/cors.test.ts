import { afterEach, describe, expect, it } from 'vitest';
import type { CorsOptions } from '../../model/route-middlewares.js';
import { cors } from './cors.js';
import { serveMiddlewares, thrown, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const BASE: CorsOptions = {
  origins: ['https://app.example.com'],
  methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
  headers: ['Content-Type', 'Authorization'],
  exposeHeaders: [],
  credentials: false,
};

const preflight = (origin: string, extra: Record<string, string> = {}) => ({
  method: 'OPTIONS', path: '/api/items',
  headers: { origin, 'access-control-request-method': 'PUT', ...extra },
});

async function serve(options: Partial<CorsOptions>): Promise<TestServer> {
  server = await serveMiddlewares([cors({ ...BASE, ...options })]);
  return server;
}

describe('cors', () => {
  it('leaves requests without Origin alone', async () => {
    const s = await serve({});
    const res = await s.send({ path: '/' });
    expect(res.body).toBe('upstream');
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('answers a preflight from an allowed origin with 204 and the allowed methods and headers, without the upstream', async () => {
    const s = await serve({ maxAgeSeconds: 600 });
    const res = await s.send(preflight('https://app.example.com', { 'access-control-request-headers': 'content-type' }));
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers': 'Content-Type, Authorization',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(s.forwarded).toHaveLength(0);
  });

  it('answers a preflight from another origin with 204 and no allow headers, so the browser refuses', async () => {
    const s = await serve({});
    const res = await s.send(preflight('https://evil.example.net'));
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    expect(s.forwarded).toHaveLength(0);
  });

  it('forwards a simple request from an allowed origin with the origin and exposed headers added', async () => {
    const s = await serve({ exposeHeaders: ['X-Total-Count'] });
    const res = await s.send({ path: '/api', headers: { origin: 'https://app.example.com' } });
    expect(res.body).toBe('upstream');
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-expose-headers']).toBe('X-Total-Count');
    expect(res.headers.vary).toBe('Origin');
  });

  it('forwards a request from another origin without allow headers', async () => {
    const s = await serve({});
    const res = await s.send({ headers: { origin: 'https://app.example.com.evil.net' } });
    expect(res.body).toBe('upstream');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends `*` for any origin without credentials, and no Vary', async () => {
    const s = await serve({ origins: ['*'] });
    const res = await s.send({ headers: { origin: 'https://anything.test' } });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers.vary).toBeUndefined();
  });

  it('echoes the origin with credentials instead of `*`, varies on Origin, and never echoes `null`', async () => {
    const s = await serve({ origins: ['*'], credentials: true });
    const res = await s.send({ headers: { origin: 'https://anything.test' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://anything.test');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toBe('Origin');
    const sandboxed = await s.send({ headers: { origin: 'null' } });
    expect(sandboxed.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends credentials on preflights of a credentialed origin list', async () => {
    const s = await serve({ credentials: true });
    const res = await s.send(preflight('https://app.example.com'));
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('matches `https://*.example.com` against subdomains only, with the same scheme', async () => {
    const s = await serve({ origins: ['https://*.example.com'] });
    const allowed = async (origin: string) => (await s.send({ headers: { origin } })).headers['access-control-allow-origin'] === origin;
    expect(await allowed('https://a.example.com')).toBe(true);
    expect(await allowed('https://a.b.example.com')).toBe(true);
    expect(await allowed('https://example.com')).toBe(false);
    expect(await allowed('http://a.example.com')).toBe(false);
    expect(await allowed('https://a.example.com.evil.net')).toBe(false);
    expect(await allowed('https://evil.net/.example.com')).toBe(false);
  });

  it('allows whatever headers a preflight asks for when no header list is given, and varies on them', async () => {
    server = await serveMiddlewares([cors({ origins: ['https://app.example.com'], methods: ['GET'], exposeHeaders: [], credentials: false })]);
    const res = await server.send(preflight('https://app.example.com', { 'access-control-request-headers': 'x-custom, content-type' }));
    expect(res.headers['access-control-allow-headers']).toBe('x-custom, content-type');
    expect(res.headers.vary).toBe('Origin, Access-Control-Request-Headers');
  });

  it('keeps the upstream\'s Vary, adding Origin, and replaces its own CORS answer with berth\'s', async () => {
    const upstreamHeaders = {
      vary: 'Accept-Encoding', 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'false', 'access-control-expose-headers': 'X-Page',
    };
    server = await serveMiddlewares([cors({ ...BASE, credentials: true })], { upstreamHeaders });
    const allowed = await server.send({ headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers).toMatchObject({
      vary: 'Accept-Encoding, Origin', 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'X-Page',
    });
    const other = await server.send({ headers: { origin: 'https://evil.example.net' } });
    expect(other.headers.vary).toBe('Accept-Encoding, Origin');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
    expect(other.headers['access-control-expose-headers']).toBeUndefined();
    const sameOrigin = await server.send({});
    expect(sameOrigin.headers['access-control-allow-origin']).toBe('*');
  });

  it('forwards a plain OPTIONS request (not a preflight) to the upstream', async () => {
    const s = await serve({});
    const res = await s.send({ method: 'OPTIONS', headers: { origin: 'https://app.example.com' } });
    expect(res.body).toBe('upstream');
  });

  it.each([
    [{ origins: [] }, 'middlewares.cors.origins'],
    [{ origins: ['https://ok.example.com', 'app.example.com'] }, 'middlewares.cors.origins[1]'],
    [{ origins: ['https://app.example.com/path'] }, 'middlewares.cors.origins[0]'],
    [{ methods: ['GET', 'PO ST'] }, 'middlewares.cors.methods[1]'],
    [{ methods: [] }, 'middlewares.cors.methods'],
    [{ headers: ['X-Ok', 'Bad:Header'] }, 'middlewares.cors.headers[1]'],
    [{ maxAgeSeconds: 1.5 }, 'middlewares.cors.maxAgeSeconds'],
  ])('refuses bad options when it is built (%#)', (options, path) => {
    expect(thrown(() => cors({ ...BASE, ...options }))).toMatchObject({ code: 'SPEC_BERTH', path });
  });
});
