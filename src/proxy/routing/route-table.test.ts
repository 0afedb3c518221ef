import { describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import type { Route } from './route.js';
import { RouteTable } from './route-table.js';

function route(id: string, hosts: readonly string[], pathPrefix: string, more: Partial<Route> = {}): Route {
  return { id, service: id.split('#')[0] ?? id, hosts, pathPrefix, stripPrefix: false, targetPort: 8000, options: {}, ...more };
}

const ROUTES: Route[] = [
  route('api#0', ['api.example.com'], '/'),
  route('api#1', ['api.example.com'], '/v1', { stripPrefix: true }),
  route('api#2', ['api.example.com'], '/v1/admin'),
  route('web#0', ['*.example.com'], '/'),
  route('web#1', ['*.eu.example.com'], '/'),
  route('docs#0', ['*.example.com'], '/docs/', { stripPrefix: true }),
  route('static#0', [], '/static', { stripPrefix: true }),
  route('fallback#0', [], '/'),
  route('ip6#0', ['[::1]'], '/'),
  route('ip4#0', ['127.0.0.1'], '/ip'),
  route('mixed#0', ['Mixed.Example.ORG.'], '/'),
];

/** [Host header, request target, route id or undefined, forwarded path]. */
const MATRIX: [string | undefined, string, string | undefined, string?][] = [
  ['api.example.com', '/', 'api#0', '/'],
  ['api.example.com', '/users', 'api#0', '/users'],
  ['api.example.com', '/v1', 'api#1', '/'],
  ['api.example.com', '/v1/', 'api#1', '/'],
  ['api.example.com', '/v1/users', 'api#1', '/users'],
  ['api.example.com', '/v1?q=1', 'api#1', '/?q=1'],
  ['api.example.com', '/v1/users?q=/v1', 'api#1', '/users?q=/v1'],
  ['api.example.com', '/v1x', 'api#0', '/v1x'],
  ['api.example.com', '/v1/admin', 'api#2', '/v1/admin'],
  ['api.example.com', '/v1/admin/x?y', 'api#2', '/v1/admin/x?y'],
  ['api.example.com', '/v1/administrator', 'api#1', '/administrator'],
  ['API.Example.COM', '/v1/x', 'api#1', '/x'],
  ['api.example.com:8443', '/v1', 'api#1', '/'],
  ['api.example.com.', '/', 'api#0', '/'],
  ['API.EXAMPLE.COM.:80', '/v1/admin/x', 'api#2', '/v1/admin/x'],
  ['www.example.com', '/', 'web#0', '/'],
  ['a.b.example.com', '/x', 'web#0', '/x'],
  ['evilapi.example.com', '/v1', 'web#0', '/v1'],
  ['x.eu.example.com', '/', 'web#1', '/'],
  ['eu.example.com', '/', 'web#0', '/'],
  ['x.eu.example.com', '/docs/a', 'web#1', '/docs/a'],
  ['example.com', '/', 'fallback#0', '/'],
  ['www.example.com', '/docs/intro', 'docs#0', '/intro'],
  ['www.example.com', '/docs/', 'docs#0', '/'],
  ['www.example.com', '/docs', 'web#0', '/docs'],
  ['WWW.EXAMPLE.COM:8080', '/docs/a?b=c', 'docs#0', '/a?b=c'],
  ['api.example.com', '/static/app.js', 'api#0', '/static/app.js'],
  ['unknown.org', '/static/app.js', 'static#0', '/app.js'],
  ['unknown.org', '/static', 'static#0', '/'],
  ['unknown.org', '/static?v=2', 'static#0', '/?v=2'],
  ['unknown.org', '/staticx', 'fallback#0', '/staticx'],
  ['api.example.com.evil.org', '/', 'fallback#0', '/'],
  [undefined, '/static/x', 'static#0', '/x'],
  ['', '/', 'fallback#0', '/'],
  ['[::1]:8080', '/', 'ip6#0', '/'],
  ['[::1]', '/a', 'ip6#0', '/a'],
  ['[0:0::1]:80', '/', 'ip6#0', '/'],
  ['127.0.0.1:3000', '/ip/x', 'ip4#0', '/ip/x'],
  ['127.0.0.1', '/other', 'fallback#0', '/other'],
  ['mixed.example.org', '/', 'mixed#0', '/'],
  ['MIXED.example.org.:1', '/', 'mixed#0', '/'],
  ['api.example.com', '*', undefined],
  ['api.example.com', 'http://api.example.com/', undefined],
];

/** Enough extra prefixes under every host to switch each PathIndex from its linear scan to its map walk. */
function withFillers(routes: Route[]): Route[] {
  const hostSets = [...new Map(routes.map((r) => [r.hosts.join(','), r.hosts])).values()];
  return [
    ...routes,
    ...hostSets.flatMap((hosts, h) => Array.from({ length: 12 }, (_, i) => route(`filler#${h}.${i}`, hosts, `/zz-filler-${i}${i % 2 ? '/' : ''}`))),
  ];
}

describe('RouteTable.match', () => {
  describe.each([
    ['few routes per host (linear scan)', RouteTable.compile(ROUTES)],
    ['many routes per host (prefix map)', RouteTable.compile(withFillers(ROUTES))],
  ])('with %s', (_name, table) => {
    it.each(MATRIX)('Host %j, %s → %s %s', (host, path, id, forwardPath) => {
      const match = table.match(host, path);
      expect(match?.route.id).toBe(id);
      if (id !== undefined) expect(match?.forwardPath).toBe(forwardPath);
    });
  });

  it('finds nothing for an unknown host when there is no catch-all route', () => {
    const table = RouteTable.compile([route('api#0', ['api.example.com'], '/v1')]);
    expect(table.match('other.example.com', '/v1')).toBeUndefined();
    expect(table.match('api.example.com', '/v2')).toBeUndefined();
    expect(table.match(undefined, '/v1')).toBeUndefined();
  });

  it('keeps the path as received (no decoding, case-sensitive) when not stripping', () => {
    const table = RouteTable.compile([route('api#0', [], '/Api')]);
    expect(table.match('h', '/Api/%2E%2E/x')?.forwardPath).toBe('/Api/%2E%2E/x');
    expect(table.match('h', '/api/x')).toBeUndefined();
    expect(table.match('h', '/Api%2Fx')).toBeUndefined();
  });

  it('routes every host of a multi-host route, and a root strip forwards the path unchanged', () => {
    const table = RouteTable.compile([route('api#0', ['a.example.com', '*.b.example.com'], '/', { stripPrefix: true })]);
    expect(table.match('a.example.com', '/x?y')?.forwardPath).toBe('/x?y');
    expect(table.match('z.b.example.com', '/')?.route.id).toBe('api#0');
    expect(table.match('b.example.com', '/')).toBeUndefined();
  });

  it('strips a prefix written with a trailing slash down to a path that starts with /', () => {
    const table = RouteTable.compile([route('api#0', [], '/api/', { stripPrefix: true })]);
    expect(table.match('h', '/api/x/y')?.forwardPath).toBe('/x/y');
    expect(table.match('h', '/api/?q')?.forwardPath).toBe('/?q');
    expect(table.match('h', '/api')).toBeUndefined();
  });

  it('exposes the compiled routes, frozen, in the given order', () => {
    const table = RouteTable.compile(ROUTES);
    expect(table.routes.map((r) => r.id)).toEqual(ROUTES.map((r) => r.id));
    expect(Object.isFrozen(table.routes)).toBe(true);
  });
});

function compileError(routes: Route[]): BerthError {
  try {
    RouteTable.compile(routes);
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected RouteTable.compile to throw');
}

describe('RouteTable.compile', () => {
  it('rejects two services claiming the same host and path, naming both routes and services', () => {
    const error = compileError([route('api#0', ['api.example.com'], '/v1'), route('web#3', ['API.example.com.'], '/v1')]);
    expect(error.code).toBe('SPEC_BERTH');
    expect(error.message).toBe('routes api#0 (service api) and web#3 (service web) both match host api.example.com and path prefix /v1');
    expect(error.hint).toBe('give each route its own host or path prefix, or remove one of them');
  });

  it('rejects duplicates among catch-all and wildcard routes too', () => {
    expect(compileError([route('a#0', [], '/x'), route('b#0', [], '/x')]).message)
      .toBe('routes a#0 (service a) and b#0 (service b) both match any host and path prefix /x');
    expect(compileError([route('a#0', ['*.example.com'], '/'), route('b#0', ['*.EXAMPLE.com'], '/')]).message)
      .toBe('routes a#0 (service a) and b#0 (service b) both match host *.example.com and path prefix /');
  });

  it('accepts the same prefix on different hosts, and /api beside /api/', () => {
    expect(() => RouteTable.compile([
      route('a#0', ['a.example.com'], '/'), route('b#0', ['b.example.com'], '/'), route('c#0', ['*.example.com'], '/'),
      route('d#0', [], '/'), route('e#0', [], '/api'), route('f#0', [], '/api/'), route('g#0', ['x.com', 'X.com'], '/'),
    ])).not.toThrow();
  });

  it.each([
    ['a.*.com', 'invalid wildcard host "a.*.com": only the whole first label can be *, as in *.example.com'],
    ['*example.com', 'invalid wildcard host "*example.com": only the whole first label can be *, as in *.example.com'],
    ['*', 'invalid wildcard host "*": only the whole first label can be *, as in *.example.com'],
    ['*.*.example.com', 'invalid wildcard host "*.*.example.com": only the whole first label can be *, as in *.example.com'],
    ['api.example.com:8080', 'invalid host "api.example.com:8080": a route host has no port (the proxy\'s ports are x-berth.proxy)'],
    ['https://api.example.com', 'invalid host "https://api.example.com": give a bare host name (no scheme, path or spaces)'],
    ['-bad.example.com', 'invalid host "-bad.example.com": expected a name like api.example.com or *.example.com'],
    ['a..b', 'invalid host "a..b": expected a name like api.example.com or *.example.com'],
    ['[::g]', 'invalid IPv6 host "[::g]": expected a literal like [::1]'],
    ['', 'empty host'],
  ])('rejects the host %j', (host, reason) => {
    const error = compileError([route('web#0', [host], '/')]);
    expect(error.code).toBe('SPEC_BERTH');
    expect(error.message).toBe(`route web#0 (service web): ${reason}`);
  });

  it.each([
    [{ pathPrefix: 'api' }, 'path prefix "api" must start with /'],
    [{ pathPrefix: '/api?x' }, 'path prefix "/api?x" must not contain ?, # or spaces'],
    [{ pathPrefix: '/a//b' }, 'path prefix "/a//b" must not contain an empty segment (//)'],
    [{ targetPort: 0 }, 'target port 0 is not a port number from 1 to 65535'],
    [{ targetPort: 70000 }, 'target port 70000 is not a port number from 1 to 65535'],
    [{ service: '' }, 'no service'],
  ])('rejects a route with %j', (change, reason) => {
    const bad = { ...route('web#0', [], '/'), ...change };
    expect(compileError([bad]).message).toBe(`route web#0 (service ${bad.service}): ${reason}`);
  });

  it('collects every problem into one SPEC_INVALID error', () => {
    const error = compileError([route('a#0', ['a.*.com'], '/'), route('a#0', [], '/x'), route('b#0', [], '/x')]);
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.issues.map((issue) => issue.message)).toEqual([
      'route a#0 (service a): invalid wildcard host "a.*.com": only the whole first label can be *, as in *.example.com',
      'two routes have the id a#0',
      'routes a#0 (service a) and b#0 (service b) both match any host and path prefix /x',
    ]);
  });
});
