import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { SECURITY_HEADERS_PRESET, securityHeaders } from './security-headers.js';
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

describe('securityHeaders', () => {
  it('adds seed 001\'s headers and a Permissions-Policy to plain-http responses, without HSTS', async () => {
    server = await serveMiddlewares([securityHeaders()]);
    const res = await server.send({ path: '/' });
    expect(res.status).toBe(200);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('origin-when-cross-origin');
    expect(res.headers['permissions-policy']).toBe('camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('adds HSTS for a year on requests that came in over TLS', async () => {
    server = await serveMiddlewares([securityHeaders()], { tls });
    expect((await server.send({})).headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('writes overrides, leaves out disabled headers and builds the full HSTS value', async () => {
    server = await serveMiddlewares([securityHeaders({
      ...SECURITY_HEADERS_PRESET,
      frameOptions: 'SAMEORIGIN',
      contentTypeOptions: false,
      permissionsPolicy: false,
      contentSecurityPolicy: "default-src 'self'",
      hsts: { maxAgeSeconds: 63_072_000, includeSubDomains: true, preload: true },
    })], { tls });
    const res = await server.send({});
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBeUndefined();
    expect(res.headers['permissions-policy']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'self'");
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains; preload');
  });

  it('lets a header the upstream sets itself replace the preset one', async () => {
    server = await serveMiddlewares([securityHeaders()], { upstreamHeaders: { 'x-frame-options': 'SAMEORIGIN' } });
    expect((await server.send({})).headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it.each([
    [{ ...SECURITY_HEADERS_PRESET, referrerPolicy: 'a\r\nSet-Cookie: x=1' }, 'middlewares.securityHeaders.referrerPolicy'],
    [{ ...SECURITY_HEADERS_PRESET, permissionsPolicy: ' ' }, 'middlewares.securityHeaders.permissionsPolicy'],
    [{ ...SECURITY_HEADERS_PRESET, hsts: { maxAgeSeconds: -1, includeSubDomains: false, preload: false } }, 'middlewares.securityHeaders.hsts.maxAgeSeconds'],
    [{ ...SECURITY_HEADERS_PRESET, hsts: { maxAgeSeconds: 600, includeSubDomains: true, preload: true } }, 'middlewares.securityHeaders.hsts.preload'],
  ])('refuses bad options when it is built (%#)', (options, path) => {
    const error = thrown(() => securityHeaders(options));
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'SPEC_BERTH', path });
  });
});
