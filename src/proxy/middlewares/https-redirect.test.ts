import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpsRedirect } from './https-redirect.js';
import { serveMiddlewares, testCertificate, thrown, type TestServer } from './test-server.js';

let server: TestServer | undefined;
let tls: Awaited<ReturnType<typeof testCertificate>>;
beforeAll(async () => {
  tls = await testCertificate();
});
afterAll(() => tls.remove());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('httpsRedirect', () => {
  it('redirects plain http with 308 to the same host, path and query on https', async () => {
    server = await serveMiddlewares([httpsRedirect({ status: 308 })]);
    const res = await server.send({ method: 'POST', path: '/a/b?x=1&y=2', headers: { host: 'App.Example.com:8080' }, body: 'x' });
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe('https://app.example.com/a/b?x=1&y=2');
    expect(server.forwarded).toHaveLength(0);
  });

  it('uses 301 when asked, and names a non-default https port', async () => {
    server = await serveMiddlewares([httpsRedirect({ status: 301 }, { httpsPort: 8443 })]);
    const res = await server.send({ path: '/x', headers: { host: '[::1]:8080' } });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://[::1]:8443/x');
  });

  it('passes requests that came in over TLS through', async () => {
    server = await serveMiddlewares([httpsRedirect({ status: 308 })], { tls });
    expect((await server.send({ path: '/x' })).body).toBe('upstream');
  });

  it('passes ACME HTTP-01 challenges through on plain http', async () => {
    server = await serveMiddlewares([httpsRedirect({ status: 308 })]);
    const res = await server.send({ path: '/.well-known/acme-challenge/abc123' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('upstream');
  });

  it('reduces an absolute-form target to its path', async () => {
    server = await serveMiddlewares([httpsRedirect({ status: 308 })]);
    const res = await server.send({ path: 'http://example.com/p?q=1' });
    expect(res.headers.location).toBe('https://example.com/p?q=1');
  });

  it.each(['evil.com@example.com', 'example.com/evil', 'exa mple.com', 'example.com:80x'])(
    'answers 400 rather than redirecting to the Host %j',
    async (host) => {
      server = await serveMiddlewares([httpsRedirect({ status: 308 })]);
      const res = await server.send({ headers: { host } });
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    },
  );

  it('refuses bad options when it is built', () => {
    expect(thrown(() => httpsRedirect({ status: 302 as 301 }))).toMatchObject({ code: 'SPEC_BERTH', path: 'middlewares.httpsRedirect.status' });
    expect(thrown(() => httpsRedirect({ status: 308 }, { httpsPort: 0 }))).toMatchObject({ code: 'SPEC_BERTH', path: 'middlewares.httpsRedirect' });
  });
});
