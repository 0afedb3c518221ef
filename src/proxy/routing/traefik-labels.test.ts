import { describe, expect, it } from 'vitest';
import { routesFromTraefikLabels } from './traefik-labels.js';

function read(labels: Record<string, string>, defaultPort?: number) {
  const { routes, warnings } = routesFromTraefikLabels({ service: 'web', labels, defaultPort });
  return { routes, warnings: warnings.map((w) => `${w.path}: ${w.message}`) };
}

const R = 'traefik.http.routers';

describe('routesFromTraefikLabels', () => {
  it('gives nothing and says nothing for a service without Traefik labels', () => {
    expect(read({ 'com.example.tier': 'web' })).toEqual({ routes: [], warnings: [] });
  });

  it('ignores Traefik labels, with one warning, unless traefik.enable is true', () => {
    expect(read({ [`${R}.web.rule`]: 'Host(`a.com`)' })).toEqual({
      routes: [], warnings: ['services.web.labels: Traefik labels ignored: traefik.enable is not true'],
    });
    expect(read({ 'traefik.enable': 'false', [`${R}.web.rule`]: 'Host(`a.com`)' }).warnings).toEqual([
      'services.web.labels["traefik.enable"]: Traefik labels ignored: traefik.enable is not true',
    ]);
  });

  it('reads host, path prefix, port and a referenced stripprefix middleware without warnings', () => {
    expect(read({
      'traefik.enable': 'true',
      [`${R}.api.rule`]: 'Host(`api.example.com`) && PathPrefix(`/api`)',
      [`${R}.api.middlewares`]: 'strip-api@docker',
      [`${R}.api.service`]: 'api-svc',
      'traefik.http.services.api-svc.loadbalancer.server.port': '8000',
      'traefik.http.middlewares.strip-api.stripprefix.prefixes': '/api,/other',
    })).toEqual({
      routes: [{ hosts: ['api.example.com'], pathPrefix: '/api', stripPrefix: true, targetPort: 8000 }],
      warnings: [],
    });
  });

  it('uses the service\'s own port when no label gives one, and skips the router when it has none', () => {
    const labels = { 'traefik.enable': 'true', [`${R}.web.rule`]: 'PathPrefix(`/`)' };
    expect(read(labels, 3000).routes).toEqual([{ hosts: [], pathPrefix: '/', stripPrefix: false, targetPort: 3000 }]);
    expect(read(labels)).toEqual({
      routes: [],
      warnings: [`services.web.labels["${R}.web.rule"]: router web: no port label and the service has no ports or expose; skipped`],
    });
  });

  it('picks the port of the service a router names and skips a router that names none of several', () => {
    const { routes, warnings } = read({
      'traefik.enable': 'true',
      [`${R}.a.rule`]: 'Host(`a.com`)', [`${R}.a.service`]: 'two',
      [`${R}.b.rule`]: 'Host(`b.com`)',
      [`${R}.c.rule`]: 'Host(`c.com`)', [`${R}.c.service`]: 'elsewhere@file',
      'traefik.http.services.one.loadbalancer.server.port': '8001',
      'traefik.http.services.two.loadbalancer.server.port': '8002',
    }, 9000);
    expect(routes).toEqual([{ hosts: ['a.com'], pathPrefix: '/', stripPrefix: false, targetPort: 8002 }]);
    expect(warnings).toEqual([
      `services.web.labels["${R}.b.rule"]: router b does not say which of the services one, two it uses (add its service label); skipped`,
      `services.web.labels["${R}.c.service"]: router c: its service elsewhere is not defined in these labels; skipped`,
      'services.web.labels["traefik.http.services.one.loadbalancer.server.port"]: load balancing and upstream health are berth\'s own (x-berth); ignored',
    ]);
  });

  it('skips a router whose rule cannot be used and keeps the others', () => {
    const { routes, warnings } = read({
      'traefik.enable': 'true',
      [`${R}.bad.rule`]: 'HostRegexp(`{sub:[a-z]+}.example.com`)',
      [`${R}.badhost.rule`]: 'Host(`a.*.com`)',
      [`${R}.badpath.rule`]: 'PathPrefix(`api`)',
      [`${R}.emptysegment.rule`]: 'PathPrefix(`/a//b`)',
      [`${R}.good.rule`]: 'Host(`a.com`) || Host(`b.com`)',
    }, 80);
    expect(routes).toEqual([{ hosts: ['a.com', 'b.com'], pathPrefix: '/', stripPrefix: false, targetPort: 80 }]);
    expect(warnings).toEqual([
      `services.web.labels["${R}.bad.rule"]: cannot use the rule: the matcher HostRegexp(…) is not supported; router bad skipped (declare it in x-berth.routes)`,
      `services.web.labels["${R}.badhost.rule"]: invalid wildcard host "a.*.com": only the whole first label can be *, as in *.example.com; router badhost skipped`,
      `services.web.labels["${R}.badpath.rule"]: invalid path prefix "api"; router badpath skipped`,
      `services.web.labels["${R}.emptysegment.rule"]: invalid path prefix "/a//b"; router emptysegment skipped`,
    ]);
  });

  it('names each label berth does not use and says why', () => {
    const { warnings } = read({
      'traefik.enable': 'true',
      [`${R}.web.rule`]: 'Host(`a.com`) && PathPrefix(`/app`)',
      [`${R}.web.middlewares`]: 'redirect, sec-headers, strip, from-file@file',
      [`${R}.web.priority`]: '10',
      [`${R}.web.tls.domains[0].main`]: 'a.com',
      'traefik.http.middlewares.redirect.redirectscheme.scheme': 'https',
      'traefik.http.middlewares.sec-headers.headers.stsSeconds': '31536000',
      'traefik.http.middlewares.strip.stripprefix.prefixes': '/other',
      'traefik.http.middlewares.unused.stripprefix.prefixes': '/x',
      'traefik.tcp.routers.db.rule': 'HostSNI(`*`)',
      'traefik.something': 'x',
    }, 80);
    const labels = 'services.web.labels';
    expect(warnings).toEqual([
      `${labels}["${R}.web.middlewares"]: middleware redirect is not supported from Traefik labels (see its own labels); ignored`,
      `${labels}["${R}.web.middlewares"]: middleware sec-headers is not supported from Traefik labels (see its own labels); ignored`,
      `${labels}["${R}.web.middlewares"]: middleware from-file@file is not defined in this service's labels; ignored (berth's middlewares, HTTP→HTTPS redirect included, are set in x-berth)`,
      `${labels}["${R}.web.middlewares"]: router web: stripprefix prefixes /other do not include its path prefix /app; berth strips only the matched path prefix, so nothing is stripped`,
      `${labels}["${R}.web.priority"]: berth picks the most specific host, then the longest path prefix; priority ignored`,
      `${labels}["${R}.web.tls.domains[0].main"]: tls is automatic with berth's ACME (or certificate files in x-berth); ignored`,
      `${labels}["traefik.http.middlewares.redirect.redirectscheme.scheme"]: berth redirects HTTP to HTTPS itself (x-berth); redirectscheme ignored`,
      `${labels}["traefik.http.middlewares.sec-headers.headers.stsSeconds"]: berth has its own headers middleware, configured in x-berth; ignored`,
      `${labels}["traefik.http.middlewares.unused.stripprefix.prefixes"]: no router references this stripprefix middleware; ignored`,
      `${labels}["traefik.tcp.routers.db.rule"]: TCP and UDP routing is not supported by berth; ignored`,
      `${labels}["traefik.something"]: not supported by berth; ignored`,
    ]);
  });

  it('warns when traefik is enabled but no router has a rule', () => {
    expect(read({ 'traefik.enable': 'true', [`${R}.web.entrypoints`]: 'http' }, 80).warnings).toEqual([
      `services.web.labels["${R}.web.entrypoints"]: router web has no rule label; skipped (berth has no default rule)`,
      `services.web.labels["${R}.web.entrypoints"]: berth's proxy serves every route on its HTTP and HTTPS ports (x-berth.proxy); entrypoints ignored`,
    ]);
    expect(read({ 'traefik.enable': 'true' }, 80).warnings).toEqual([
      'services.web.labels["traefik.enable"]: no traefik.http.routers.<name>.rule label, so no route (berth has no default rule)',
    ]);
  });
});
