import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Route } from './route.js';
import { RouteTable } from './route-table.js';

/** The routing rules written the slow, obvious way: the compiled table must agree with this on every request. */
function reference(routes: readonly Route[], rawHost: string, path: string): { id: string; forwardPath: string } | undefined {
  const host = rawHost.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const matchesPath = (prefix: string): boolean => {
    const pathOnly = path.split('?')[0] as string;
    if (prefix.endsWith('/')) return pathOnly.startsWith(prefix);
    return pathOnly === prefix || pathOnly.startsWith(`${prefix}/`);
  };
  const tiers: ((h: string | undefined) => boolean)[] = [(h) => h === host];
  const suffixes = host.split('.').map((_, i, labels) => labels.slice(i + 1).join('.')).filter((s) => s !== '');
  for (const suffix of suffixes) tiers.push((h) => h === `*.${suffix}`);
  tiers.push((h) => h === undefined);
  for (const tier of tiers) {
    const candidates = routes.filter((r) => (r.hosts.length === 0 ? tier(undefined) : r.hosts.some((h) => tier(h.toLowerCase()))))
      .filter((r) => matchesPath(r.pathPrefix))
      .sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
    const route = candidates[0];
    if (route === undefined) continue;
    const cut = route.pathPrefix === '/' ? 0 : route.pathPrefix.replace(/\/$/, '').length;
    const rest = route.stripPrefix ? path.slice(cut) : path;
    return { id: route.id, forwardPath: rest === '' || rest.startsWith('?') ? `/${rest}` : rest };
  }
  return undefined;
}

const label = fc.constantFrom('a', 'b', 'ab');
const name = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));
const routeHost = fc.oneof(name, name.map((n) => `*.${n}`));
const segment = fc.constantFrom('x', 'y', 'xy');
const prefix = fc.tuple(fc.array(segment, { maxLength: 3 }), fc.boolean())
  .map(([segments, slash]) => (segments.length === 0 ? '/' : `/${segments.join('/')}${slash ? '/' : ''}`));
const routeSpec = fc.record({ hosts: fc.array(routeHost, { maxLength: 2 }), pathPrefix: prefix, stripPrefix: fc.boolean() });

/** Routes with distinct (host, prefix) pairs: a route whose pair is taken is dropped, as a user would have to. */
const routeList = fc.array(routeSpec, { maxLength: 40 }).map((specs) => {
  const taken = new Set<string>();
  return specs.flatMap((spec, i): Route[] => {
    const keys = (spec.hosts.length === 0 ? [''] : [...new Set(spec.hosts)]).map((h) => `${h} ${spec.pathPrefix}`);
    if (keys.some((k) => taken.has(k))) return [];
    keys.forEach((k) => taken.add(k));
    return [{ id: `s${i}#0`, service: `s${i}`, targetPort: 8000, options: {}, ...spec }];
  });
});

const requestHost = fc.tuple(name, fc.boolean(), fc.boolean(), fc.boolean()).map(([n, upper, port, dot]) =>
  `${upper ? n.toUpperCase() : n}${dot ? '.' : ''}${port ? ':8080' : ''}`);
const requestPath = fc.tuple(fc.array(fc.constantFrom('x', 'y', 'xy', 'z', ''), { maxLength: 5 }), fc.boolean())
  .map(([segments, query]) => `/${segments.join('/')}${query ? '?q=/x' : ''}`);

/**
 * Routes no generated request can reach (segment `f…`, hosts under `.zz`) that make every index big enough to
 * use its map-based form: many wildcards, many path prefixes per host, many children per path segment.
 */
const FILLERS: Route[] = Array.from({ length: 10 }, (_, i): Route[] => [
  { id: `fw${i}#0`, service: `fw${i}`, hosts: [`*.f${i}.zz`], pathPrefix: '/', stripPrefix: false, targetPort: 8000, options: {} },
  { id: `fc${i}#0`, service: `fc${i}`, hosts: [], pathPrefix: `/f${i}`, stripPrefix: false, targetPort: 8000, options: {} },
  { id: `fx${i}#0`, service: `fx${i}`, hosts: ['a', '*.a'], pathPrefix: `/x/f${i}`, stripPrefix: false, targetPort: 8000, options: {} },
]).flat();

describe('RouteTable.match (property)', () => {
  it.each([
    ['as generated (small indexes)', false],
    ['with unreachable fillers (map-based indexes)', true],
  ])('agrees with the obvious reference matcher on random tables and requests, %s', (_name, fill) => {
    fc.assert(fc.property(routeList, fc.array(fc.tuple(requestHost, requestPath), { minLength: 1, maxLength: 20 }), (generated, requests) => {
      const routes = fill ? [...generated, ...FILLERS] : generated;
      const table = RouteTable.compile(routes);
      for (const [host, path] of requests) {
        const match = table.match(host, path);
        expect(match === undefined ? undefined : { id: match.route.id, forwardPath: match.forwardPath }).toEqual(reference(routes, host, path));
      }
    }), { numRuns: 300, seed: 4 });
  });
});
