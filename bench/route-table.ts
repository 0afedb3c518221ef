/**
 * Cost of one `RouteTable.match` on a 1,000-route table (500 exact-host routes, 300 wildcard, 200 catch-all
 * prefixes; hits of each kind, deep paths, ports and upper case in Host, misses), in ns per match, beside a peer
 * run on the same requests: a linear scan over every route in priority order (how a list of rules is usually
 * matched). Times are CPU time of this process (steadier than wall time on a busy machine). Prints the figures
 * and the ratio; nothing is asserted.
 * Run alone: `node --import tsx bench/route-table.ts`.
 */
import { pathToFileURL } from 'node:url';
import type { Route } from '../src/proxy/routing/route.js';
import { RouteTable } from '../src/proxy/routing/route-table.js';

const MATCHES = 1_000_000;
const RUNS = 5;

function route(id: string, hosts: string[], pathPrefix: string): Route {
  return { id, service: id.split('#')[0] ?? id, hosts, pathPrefix, stripPrefix: id.length % 2 === 0, targetPort: 8000, options: {} };
}

function buildRoutes(): Route[] {
  const routes: Route[] = [];
  const prefixes = ['/', '/api', '/api/v1', '/api/v1/users', '/api/v2', '/static', '/admin', '/docs/', '/health', '/ws'];
  for (let h = 0; h < 50; h++) prefixes.forEach((p, i) => routes.push(route(`host${h}#${i}`, [`app${h}.example.com`], p)));
  for (let w = 0; w < 30; w++) prefixes.forEach((p, i) => routes.push(route(`wild${w}#${i}`, [`*.tenant${w}.example.net`], p)));
  for (let c = 0; c < 200; c++) routes.push(route(`any#${c}`, [], c === 0 ? '/' : `/catch/${c}`));
  return routes;
}

function buildRequests(): [string, string][] {
  const requests: [string, string][] = [];
  for (let i = 0; i < 4096; i++) {
    const kind = i % 8;
    if (kind < 3) requests.push([`app${i % 50}.example.com`, ['/api/v1/users/42?x=1', '/static/app.js', '/', '/api/v1'][i % 4] as string]);
    else if (kind === 3) requests.push([`APP${i % 50}.Example.com:8443`, '/admin/settings']);
    else if (kind < 6) requests.push([`u${i}.tenant${i % 30}.example.net`, ['/docs/intro', '/api/v2/items', '/ws'][i % 3] as string]);
    else if (kind === 6) requests.push([`unknown${i}.org`, `/catch/${i % 200}/deep/path?q=${i}`]);
    else requests.push(['nothing.example.com', '/nowhere']);
  }
  return requests;
}

/** The peer: every route checked in order of (exact host, wildcard, catch-all) then longest prefix. */
function linearMatcher(routes: readonly Route[]): (host: string, path: string) => Route | undefined {
  const specificity = (r: Route): number => (r.hosts.length === 0 ? 0 : r.hosts[0]?.startsWith('*.') ? 1 : 2);
  const ordered = [...routes].sort((a, b) => specificity(b) - specificity(a) || b.pathPrefix.length - a.pathPrefix.length);
  return (rawHost, path) => {
    const host = rawHost.toLowerCase().replace(/:\d+$/, '');
    for (const r of ordered) {
      const hostOk = r.hosts.length === 0 || r.hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : h === host));
      if (!hostOk || !path.startsWith(r.pathPrefix)) continue;
      const next = path[r.pathPrefix.length];
      if (r.pathPrefix.endsWith('/') || next === undefined || next === '/' || next === '?') return r;
    }
    return undefined;
  };
}

function nsPerMatch(requests: readonly [string, string][], match: (host: string, path: string) => unknown, count: number): number {
  let found = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const request = requests[i & 4095] as [string, string];
    if (match(request[0], request[1]) !== undefined) found++;
  }
  const used = process.cpuUsage(start);
  const ns = ((used.user + used.system) * 1e3) / count;
  if (found === 0) throw new Error('the benchmark matched nothing');
  return ns;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

export function benchRouteTable(): void {
  const routes = buildRoutes();
  const requests = buildRequests();
  const table = RouteTable.compile(routes);
  const berth = (host: string, path: string): unknown => table.match(host, path);
  const peer = linearMatcher(routes);
  for (const [host, path] of requests.slice(0, 64)) {
    if (table.match(host, path)?.route !== peer(host, path)) throw new Error(`berth and the peer disagree on ${host}${path}`);
  }
  nsPerMatch(requests, berth, 100_000); // warm up both before measuring
  nsPerMatch(requests, peer, 10_000);
  const berthNs = median(Array.from({ length: RUNS }, () => nsPerMatch(requests, berth, MATCHES)));
  const peerNs = median(Array.from({ length: RUNS }, () => nsPerMatch(requests, peer, MATCHES / 100)));
  console.log(`route table: ${routes.length} routes, ${requests.length} distinct requests, median of ${RUNS} runs`);
  console.log(`  berth RouteTable.match   ${berthNs.toFixed(0).padStart(8)} ns/match`);
  console.log(`  peer: linear rule scan   ${peerNs.toFixed(0).padStart(8)} ns/match`);
  console.log(`  ratio (peer / berth)     ${(peerNs / berthNs).toFixed(1).padStart(8)}x`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) benchRouteTable();
