import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import type { RouteMiddlewares } from '../../model/route-middlewares.js';
import type { ResolvedRoute } from '../forward/proxy-context.js';
import { pool, startProxy, upstream } from '../forward/test-upstream.js';
import { buildMiddlewares, buildRouteChain } from './build.js';
import { RateLimitState } from './rate-limit.js';
import { SECURITY_HEADERS_PRESET } from './security-headers.js';
import { send, serveMiddlewares, thrown, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ALL: RouteMiddlewares = {
  securityHeaders: SECURITY_HEADERS_PRESET,
  ipAllowList: { ranges: ['10.0.0.0/8'] },
  rateLimit: { requests: 2, periodMs: 60_000 },
  cors: { origins: ['https://app.example.com'], methods: ['GET'], exposeHeaders: [], credentials: true },
  basicAuth: { realm: 'admin', users: [{ name: 'alice', sha256: createHash('sha256').update('pw').digest('hex') }] },
  maxBodyBytes: 1024,
};
const client = (ip: string, headers: Record<string, string> = {}) => ({ headers: { 'x-test-client-ip': ip, ...headers } });

describe('buildMiddlewares', () => {
  it('builds nothing for no options', () => {
    expect(buildMiddlewares({})).toEqual([]);
    expect(buildMiddlewares({ maxBodyBytes: 10 })).toEqual([]);
    expect(buildRouteChain({ maxBodyBytes: 10 })).toBeUndefined();
  });

  it('puts security headers on refusals too (403, 401, 429)', async () => {
    server = await serveMiddlewares(buildMiddlewares(ALL, { now: () => 0 }));
    const refusals = [await server.send(client('11.0.0.1')), await server.send(client('10.0.0.1')), await server.send(client('10.0.0.1'))];
    const limited = await server.send(client('10.0.0.1'));
    expect([...refusals, limited].map((r) => [r.status, r.headers['x-frame-options']])).toEqual([
      [403, 'DENY'], [401, 'DENY'], [401, 'DENY'], [429, 'DENY'],
    ]);
  });

  it('answers CORS preflights before basic auth (preflights carry no credentials), after the allow list', async () => {
    server = await serveMiddlewares(buildMiddlewares(ALL, { now: () => 0 }));
    const preflight = { origin: 'https://app.example.com', 'access-control-request-method': 'GET' };
    const ok = await server.send({ method: 'OPTIONS', ...client('10.0.0.1', preflight) });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect((await server.send({ method: 'OPTIONS', ...client('11.0.0.1', preflight) })).status).toBe(403);
  });

  it('does not spend rate-limit tokens on clients the allow list refuses', async () => {
    server = await serveMiddlewares(buildMiddlewares({ ipAllowList: ALL.ipAllowList, rateLimit: { requests: 1, periodMs: 60_000 } }, { now: () => 0 }));
    expect((await server.send(client('::ffff:11.0.0.1'))).status).toBe(403);
    expect((await server.send(client('10.0.0.1'))).status).toBe(200);
  });

  it('builds the rate limit on the state it is given, so a rebuilt chain keeps counting', async () => {
    const state = new RateLimitState();
    const options: RouteMiddlewares = { rateLimit: { requests: 1, periodMs: 60_000 } };
    server = await serveMiddlewares(buildMiddlewares(options, { now: () => 0, rateLimitState: state }));
    expect((await server.send(client('10.0.0.1'))).status).toBe(200);
    await server.close();
    server = await serveMiddlewares(buildMiddlewares(options, { now: () => 0, rateLimitState: state }));
    expect((await server.send(client('10.0.0.1'))).status).toBe(429);
  });

  it('redirects to https before anything else refuses the request, with the proxy\'s https port', async () => {
    server = await serveMiddlewares(buildMiddlewares({ ...ALL, httpsRedirect: { status: 308 } }, { httpsPort: 8443 }));
    const res = await server.send({ path: '/x', ...client('11.0.0.1') });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe('https://example.com:8443/x');
  });

  it('reports every bad option at once, located under `where`', () => {
    const error = thrown(() => buildMiddlewares({
      ...ALL, ipAllowList: { ranges: ['nope'] }, rateLimit: { requests: 0, periodMs: 1 },
    }, { where: 'services.admin.x-berth' }));
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'SPEC_INVALID' });
    expect((error as BerthError).issues.map((issue) => issue.path)).toEqual([
      'services.admin.x-berth.middlewares.ipAllowList.ranges[0]',
      'services.admin.x-berth.middlewares.rateLimit.requests',
    ]);
  });

  it('throws a single bad option as itself', () => {
    expect(thrown(() => buildMiddlewares({ cors: { ...ALL.cors!, origins: [] } }))).toMatchObject({
      code: 'SPEC_BERTH', path: 'middlewares.cors.origins',
    });
  });
});

describe('route chains in the proxy', () => {
  it('run per route in front of a real upstream: refusals never reach it, its answers get the headers', async () => {
    const up = await upstream((req, res) => {
      req.resume();
      res.writeHead(200, { vary: 'Accept-Encoding', 'x-frame-options': 'SAMEORIGIN' }).end('ok');
    });
    const api = pool([up.endpoint]);
    const apiRoute: ResolvedRoute = { pool: api, forwardPath: '/', name: 'api' };
    const openRoute: ResolvedRoute = { pool: api, forwardPath: '/', name: 'open' };
    const chains = new Map([[apiRoute, buildRouteChain({
      securityHeaders: SECURITY_HEADERS_PRESET,
      rateLimit: { requests: 2, periodMs: 60_000 },
      cors: { origins: ['https://app.example.com'], methods: ['GET'], exposeHeaders: [], credentials: true },
    }, { now: () => 0 })]]);
    const proxy = await startProxy(api, {
      routeMiddleware: (route) => chains.get(route),
      resolve: (req) => (req.url?.startsWith('/open') ? openRoute : apiRoute),
    });
    try {
      const preflight = await send(proxy.port, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
      expect(preflight.status).toBe(204);
      const ok = await send(proxy.port, { headers: { origin: 'https://app.example.com' } });
      expect(ok.headers).toMatchObject({
        'x-frame-options': 'SAMEORIGIN', 'x-content-type-options': 'nosniff', vary: 'Accept-Encoding, Origin',
        'access-control-allow-origin': 'https://app.example.com', 'x-ratelimit-remaining': '0',
      });
      const limited = await send(proxy.port, {});
      expect([limited.status, limited.headers['retry-after'], limited.headers['x-content-type-options']]).toEqual([429, '30', 'nosniff']);
      const open = await send(proxy.port, { path: '/open' });
      expect([open.status, open.headers['x-content-type-options']]).toEqual([200, undefined]);
      expect(up.seen.map((req) => req.method)).toEqual(['GET', 'GET']);
    } finally {
      await proxy.close();
      await up.close();
    }
  });
});
