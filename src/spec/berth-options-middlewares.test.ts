import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseBerthServiceOptions } from './berth-options.js';
import { parseYaml } from './parse-yaml.js';
import { serializeMiddlewares } from './serialize-middlewares.js';
import { StageContext } from './stage-context.js';

/** Parses `services.web.x-berth.middlewares` with `body` as its (YAML) value. */
function middlewares(body: string) {
  const parsed = parseYaml(`services:\n  web:\n    x-berth:\n      middlewares: ${body}\n`, 'compose.yml');
  const ctx = new StageContext(parsed.sources);
  const root = parsed.value as { services: { web: Record<string, unknown> } };
  const options = parseBerthServiceOptions(root.services.web['x-berth'], ctx, ['services', 'web', 'x-berth']);
  return { middlewares: options.middlewares, lines: ctx.issues.map((issue) => issue.format()), warnings: ctx.warnings.map((w) => w.message) };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const PRESET = {
  frameOptions: 'DENY', contentTypeOptions: true, referrerPolicy: 'origin-when-cross-origin',
  permissionsPolicy: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  hsts: { maxAgeSeconds: 31_536_000, includeSubDomains: false, preload: false },
};

describe('x-berth middlewares', () => {
  it('is absent when not given, empty or everything is off', () => {
    expect(middlewares('{}').middlewares).toBeUndefined();
    expect(middlewares('{security_headers: false, https_redirect: false, rate_limit: {enabled: "false", requests: 1, period: 1}}')).toEqual({
      middlewares: undefined, lines: [], warnings: [],
    });
  });

  it('reads security_headers: true as seed 001\'s preset, and a mapping as overrides of it', () => {
    expect(middlewares('{security_headers: true}').middlewares).toEqual({ securityHeaders: PRESET });
    const { middlewares: m, lines } = middlewares(
      '{security_headers: {frame_options: sameorigin, referrer_policy: no-referrer, permissions_policy: false, '
        + 'content_security_policy: "default-src \'self\'", hsts: {max_age: 730d, include_subdomains: "true"}}}',
    );
    expect(lines).toEqual([]);
    expect(m?.securityHeaders).toEqual({
      ...PRESET, frameOptions: 'SAMEORIGIN', referrerPolicy: 'no-referrer', permissionsPolicy: false,
      contentSecurityPolicy: "default-src 'self'", hsts: { maxAgeSeconds: 63_072_000, includeSubDomains: true, preload: false },
    });
    expect(middlewares('{security_headers: {hsts: false}}').middlewares?.securityHeaders?.hsts).toBe(false);
  });

  it('maps seed 003\'s RATE_LIMIT_* values (interpolated as strings, period in seconds)', () => {
    expect(middlewares('{rate_limit: {enabled: "true", requests: "100", period: "60"}}')).toEqual({
      middlewares: { rateLimit: { requests: 100, periodMs: 60_000 } }, lines: [], warnings: [],
    });
    expect(middlewares('{rate_limit: {requests: 10, period: 1m30s, burst: 20}}').middlewares?.rateLimit).toEqual({ requests: 10, periodMs: 90_000, burst: 20 });
  });

  it('reads CORS with default methods, origins from a comma-separated string and max_age in seconds or as a duration', () => {
    const { middlewares: m, lines, warnings } = middlewares(
      '{cors: {origins: "http://localhost:3000, https://tramites.gob.pa", headers: "Content-Type, Authorization", credentials: "true", max_age: 10m}}',
    );
    expect([lines, warnings]).toEqual([[], []]);
    expect(m?.cors).toEqual({
      origins: ['http://localhost:3000', 'https://tramites.gob.pa'], methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
      headers: ['Content-Type', 'Authorization'], exposeHeaders: [], credentials: true, maxAgeSeconds: 600,
    });
    expect(middlewares('{cors: {origins: "*", methods: [get, post], max_age: 30}}').middlewares?.cors).toEqual({
      origins: ['*'], methods: ['GET', 'POST'], exposeHeaders: [], credentials: false, maxAgeSeconds: 30,
    });
  });

  it('warns that credentials with any origin let every site send users\' cookies', () => {
    expect(middlewares('{cors: {origins: "*", credentials: true}}').warnings).toEqual([
      'with credentials and `*`, every web site can make requests with your users\' cookies; the origin is echoed, never `*`',
    ]);
  });

  it('reads compress (on with true, yes; absent when false)', () => {
    expect(middlewares('{compress: true}').middlewares).toEqual({ compress: true });
    expect(middlewares('{compress: "yes"}').middlewares).toEqual({ compress: true });
    expect(middlewares('{compress: false}').middlewares).toBeUndefined();
  });

  it('reads https_redirect, the IP allow list and the body size', () => {
    expect(middlewares('{https_redirect: true, ip_allow_list: [10.0.0.0/8, "::1", 2001:db8::/32], max_body_size: 10m}').middlewares).toEqual({
      httpsRedirect: { status: 308 }, ipAllowList: { ranges: ['10.0.0.0/8', '::1', '2001:db8::/32'] }, maxBodyBytes: 10 * 1024 * 1024,
    });
    expect(middlewares('{https_redirect: {status: "301"}, ip_allow_list: "192.168.0.0/16,127.0.0.1"}').middlewares).toEqual({
      httpsRedirect: { status: 301 }, ipAllowList: { ranges: ['192.168.0.0/16', '127.0.0.1'] },
    });
  });

  it('keeps basic-auth passwords only as SHA-256 digests, warning about plain ones', () => {
    const digest = sha256('s3cret');
    const { middlewares: m, lines, warnings } = middlewares(`{basic_auth: {realm: admin, users: ["alice:sha256:${digest.toUpperCase()}", "bob:pa:ss"]}}`);
    expect(lines).toEqual([]);
    expect(m?.basicAuth).toEqual({ realm: 'admin', users: [{ name: 'alice', sha256: digest }, { name: 'bob', sha256: sha256('pa:ss') }] });
    expect(JSON.stringify(m)).not.toContain('pa:ss');
    expect(warnings).toEqual([
      "the password of bob is written in plain text; write name:sha256:<digest> instead (get the digest with: printf %s 'the password' | sha256sum)",
    ]);
    expect(middlewares('{basic_auth: {users: "carol:sha256:' + digest + '"}}').middlewares?.basicAuth?.realm).toBe('restricted');
  });

  it.each([
    ['{cors: {origins: [https://a.example.com, a.example.com]}}',
      'compose.yml:4:61 SPEC_BERTH services.web.x-berth.middlewares.cors.origins[1]: expected `*` or an origin like https://app.example.com (scheme and host, no path), got "a.example.com"'],
    ['{cors: {origins: "*", methods: "GET, PO ST"}}',
      'compose.yml:4:51 SPEC_BERTH services.web.x-berth.middlewares.cors.methods[1]: expected a method or header name, got "PO ST"'],
    ['{cors: {credentials: true}}',
      'compose.yml:4:27 SPEC_BERTH services.web.x-berth.middlewares.cors: missing required key `origins`'],
    ['{ip_allow_list: [10.0.0.0/8, 10.0.0.0/33]}',
      'compose.yml:4:49 SPEC_BERTH services.web.x-berth.middlewares.ip_allow_list[1]: expected an IP address or CIDR range, got "10.0.0.0/33"\n  hint: e.g. 10.0.0.0/8, 192.168.1.7 or 2001:db8::/32'],
    ['{rate_limit: {requests: 0, period: 60}}',
      'compose.yml:4:44 SPEC_BERTH services.web.x-berth.middlewares.rate_limit.requests: expected at least 1 request per period, got 0'],
    ['{rate_limit: {requests: 5, period: 0}}',
      'compose.yml:4:55 SPEC_BERTH services.web.x-berth.middlewares.rate_limit.period: expected a period longer than 0\n  hint: e.g. 60 (seconds) or 1m'],
    ['{rate_limit: {requests: 5, period: soon}}',
      'compose.yml:4:55 SPEC_DURATION services.web.x-berth.middlewares.rate_limit.period: cannot read duration "soon": "soon" is not a number with a unit\n  hint: use a duration like 10s, 1m30s or 500ms'],
    ['{rate_limit: {requests: 5}}',
      'compose.yml:4:33 SPEC_BERTH services.web.x-berth.middlewares.rate_limit: missing required key `period`'],
    ['{basic_auth: {users: ["admin:$2y$05$abcdefghijklmnopqrstuv"]}}',
      'compose.yml:4:42 SPEC_BERTH services.web.x-berth.middlewares.basic_auth.users[0]: the password of admin is an htpasswd hash berth cannot check\n  hint: get the digest with: printf %s \'the password\' | sha256sum'],
    ['{basic_auth: {users: [nopassword]}}',
      'compose.yml:4:42 SPEC_BERTH services.web.x-berth.middlewares.basic_auth.users[0]: expected `name:sha256:<hex digest>` or `name:password`'],
    ['{basic_auth: {users: ["a:x", "a:y"]}}',
      'compose.yml:4:49 SPEC_BERTH services.web.x-berth.middlewares.basic_auth.users[1]: the user a is listed twice'],
    ['{security_headers: {hsts: {max_age: 1d, preload: true}}}',
      'compose.yml:4:69 SPEC_BERTH services.web.x-berth.middlewares.security_headers.hsts.preload: HSTS preload needs include_subdomains: true and a max_age of at least a year\n  hint: see https://hstspreload.org for the requirements'],
    ['{security_headers: {frame_options: ALLOW}}',
      'compose.yml:4:55 SPEC_BERTH services.web.x-berth.middlewares.security_headers.frame_options: expected one of: DENY, SAMEORIGIN, deny, sameorigin, false, got "ALLOW"'],
    ['{https_redirect: {status: 302}}',
      'compose.yml:4:46 SPEC_BERTH services.web.x-berth.middlewares.https_redirect.status: expected 301 or 308, got 302\n  hint: 308 keeps the method and body of the request; 301 is for clients too old to know 308'],
    ['{max_body_size: lots}',
      'compose.yml:4:36 SPEC_BERTH services.web.x-berth.middlewares.max_body_size: cannot read the size "lots"\n  hint: use a number of bytes or a number with a unit: 512k, 10m, 1g'],
    ['{rate_limt: {}}',
      'compose.yml:4:21 SPEC_BERTH services.web.x-berth.middlewares.rate_limt: unknown key `rate_limt` in `x-berth.middlewares` of service `web` — did you mean `rate_limit`?'],
  ])('rejects %s', (body, expected) => {
    expect(middlewares(body).lines).toEqual([expected]);
  });

  it('prints back what it reads (berth config), passwords as digests', () => {
    const body = '{security_headers: {hsts: false, content_security_policy: "default-src \'self\'"}, https_redirect: true, '
      + 'ip_allow_list: [10.0.0.0/8], rate_limit: {requests: 100, period: 60, burst: 150}, '
      + 'cors: {origins: [https://a.example.com], expose_headers: [X-Total], credentials: true, max_age: 600, headers: [Content-Type]}, '
      + 'basic_auth: {realm: admin, users: ["bob:pw"]}, max_body_size: 1k}';
    const first = middlewares(body).middlewares;
    expect(first).toBeDefined();
    const printed = serializeMiddlewares(first ?? {});
    expect(printed.basic_auth).toEqual({ realm: 'admin', users: [`bob:sha256:${sha256('pw')}`] });
    expect(printed.rate_limit).toEqual({ requests: 100, period: '1m0s', burst: 150 });
    expect(middlewares(JSON.stringify(printed))).toEqual({ middlewares: first, lines: [], warnings: [] });
  });
});
