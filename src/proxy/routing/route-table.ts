import { aggregate, BerthError } from '../../errors.js';
import { parseRouteHost, requestHostKey, routeHostKey, type RouteHost } from './host-name.js';
import { PathIndex, type PathEntry } from './path-index.js';
import type { Match, Route } from './route.js';

/**
 * An immutable, compiled set of routes. `compile` checks every route and rejects the whole set on any problem
 * (so a bad config never replaces a good one); `match` is the per-request lookup.
 *
 * Lookup order: the request's host picks the most specific host that has a route for the path: the exact host,
 * then wildcards from the longest suffix to the shortest (`*.api.example.com` before `*.example.com`), then the
 * catch-all routes (no host). Within a host the longest path prefix on a segment boundary wins. Host matching
 * ignores case, the port and a trailing dot; paths are case-sensitive and are not decoded or normalised here.
 */
export class RouteTable {
  readonly routes: readonly Route[];
  readonly #exact: ReadonlyMap<string, PathIndex>;
  readonly #wildcards: ReadonlyMap<string, PathIndex>;
  /** The wildcard suffixes longest (most specific) first, when there are few enough to compare in place. */
  readonly #fewWildcards: readonly (readonly [string, PathIndex])[] | undefined;
  /** The lengths of the wildcard suffixes: a host is only cut where a suffix of such a length could start. */
  readonly #wildcardLengths: ReadonlySet<number>;
  readonly #catchAll: PathIndex | undefined;

  private constructor(routes: readonly Route[], buckets: Buckets) {
    this.routes = routes;
    this.#exact = indexAll(buckets.exact);
    this.#wildcards = indexAll(buckets.wildcards);
    this.#fewWildcards = this.#wildcards.size > FEW_WILDCARDS ? undefined
      : [...this.#wildcards].sort(([a], [b]) => b.length - a.length);
    this.#wildcardLengths = new Set([...this.#wildcards.keys()].map((suffix) => suffix.length));
    this.#catchAll = buckets.catchAll.length === 0 ? undefined : new PathIndex(buckets.catchAll);
  }

  /**
   * Validates and indexes `routes`. Throws a BerthError (SPEC_BERTH; several problems are aggregated) for a
   * duplicate id, an invalid host or wildcard, a path prefix that does not start with `/` or holds `?`, `#`, a
   * space or `//`, a port outside 1–65535, or two routes that claim the same host and path prefix (naming both,
   * whether or not they belong to the same service).
   */
  static compile(routes: readonly Route[]): RouteTable {
    const problems: BerthError[] = [];
    const buckets: Buckets = { exact: new Map(), wildcards: new Map(), catchAll: [] };
    const claimed = new Map<string, Route>();
    const ids = new Set<string>();
    for (const route of routes) {
      const where = `route ${route.id} (service ${route.service})`;
      if (ids.has(route.id)) problems.push(routeError(`two routes have the id ${route.id}`));
      ids.add(route.id);
      const invalid = checkRoute(route);
      if (invalid !== undefined) {
        problems.push(routeError(`${where}: ${invalid}`));
        continue;
      }
      const hosts = parseHosts(route, where, problems);
      const entry = pathEntry(route);
      for (const host of hosts ?? []) {
        const key = host === undefined ? '' : routeHostKey(host);
        const other = claimed.get(`${key} ${route.pathPrefix}`);
        if (other !== undefined) {
          if (other !== route) problems.push(duplicateError(other, route, key));
          continue;
        }
        claimed.set(`${key} ${route.pathPrefix}`, route);
        if (host === undefined) buckets.catchAll.push(entry);
        else if (host.kind === 'exact') push(buckets.exact, host.host, entry);
        else push(buckets.wildcards, host.suffix, entry);
      }
    }
    if (problems.length > 0) throw aggregate(problems);
    return new RouteTable(Object.freeze([...routes]), buckets);
  }

  /**
   * The route for a request, or undefined (the proxy answers 404). `host` is the Host header as received
   * (`Api.Example.com:8443`), `path` the request target in origin form (`/api/x?q=1`); a target that does not
   * start with `/` (`*`, absolute form) matches nothing, so the proxy converts absolute form first.
   * Pure and allocation-light: safe to call concurrently from any number of requests.
   */
  match(host: string | undefined, path: string): Match | undefined {
    if (path.charCodeAt(0) !== 0x2f /* / */) return undefined;
    // Most Host headers are already a key (lower case, no port): try them as received before normalising.
    let exact = host === undefined ? undefined : this.#exact.get(host);
    const key = exact === undefined ? requestHostKey(host) : (host as string);
    if (exact === undefined && key !== host) exact = this.#exact.get(key);
    const entry = exact?.lookup(path) ?? this.#wildcardLookup(key, path) ?? this.#catchAll?.lookup(path);
    if (entry === undefined) return undefined;
    return { route: entry.route, forwardPath: entry.route.stripPrefix ? stripped(path, entry.stripLength) : path };
  }

  #wildcardLookup(host: string, path: string): PathEntry | undefined {
    if (this.#fewWildcards !== undefined) {
      for (const [suffix, index] of this.#fewWildcards) {
        const dot = host.length - suffix.length - 1;
        if (dot <= 0 || host.charCodeAt(dot) !== 0x2e /* . */ || !host.endsWith(suffix)) continue;
        const hit = index.lookup(path);
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    // The suffixes after each dot, longest first: a.b.example.com → b.example.com, example.com, com.
    for (let dot = host.indexOf('.'); dot > 0; dot = host.indexOf('.', dot + 1)) {
      if (!this.#wildcardLengths.has(host.length - dot - 1)) continue;
      const hit = this.#wildcards.get(host.slice(dot + 1))?.lookup(path);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
}

/** Up to this many wildcard suffixes, comparing each in place beats cutting the host at every dot. */
const FEW_WILDCARDS = 8;

interface Buckets {
  readonly exact: Map<string, PathEntry[]>;
  readonly wildcards: Map<string, PathEntry[]>;
  readonly catchAll: PathEntry[];
}

function indexAll(groups: ReadonlyMap<string, readonly PathEntry[]>): ReadonlyMap<string, PathIndex> {
  return new Map([...groups].map(([key, entries]) => [key, new PathIndex(entries)]));
}

function push(groups: Map<string, PathEntry[]>, key: string, entry: PathEntry): void {
  const list = groups.get(key);
  if (list === undefined) groups.set(key, [entry]);
  else list.push(entry);
}

function pathEntry(route: Route): PathEntry {
  const endsWithSlash = route.pathPrefix.endsWith('/');
  return { route, prefix: route.pathPrefix, endsWithSlash, stripLength: route.pathPrefix.length - (endsWithSlash ? 1 : 0) };
}

/** `/api/x?q` minus `/api` → `/x?q`; nothing left → `/`; only a query left → `/?q`. */
function stripped(path: string, length: number): string {
  if (length === 0) return path;
  if (path.length === length) return '/';
  return path.charCodeAt(length) === 0x3f /* ? */ ? `/${path.slice(length)}` : path.slice(length);
}

function checkRoute(route: Route): string | undefined {
  if (route.service === '') return 'no service';
  if (!route.pathPrefix.startsWith('/')) return `path prefix ${JSON.stringify(route.pathPrefix)} must start with /`;
  if (/[?#\s]/.test(route.pathPrefix)) return `path prefix ${JSON.stringify(route.pathPrefix)} must not contain ?, # or spaces`;
  if (route.pathPrefix.includes('//')) return `path prefix ${JSON.stringify(route.pathPrefix)} must not contain an empty segment (//)`;
  if (!Number.isInteger(route.targetPort) || route.targetPort < 1 || route.targetPort > 65535) {
    return `target port ${route.targetPort} is not a port number from 1 to 65535`;
  }
  return undefined;
}

/** The distinct hosts of a route (`undefined` = any host), or undefined when one of them is invalid. */
function parseHosts(route: Route, where: string, problems: BerthError[]): (RouteHost | undefined)[] | undefined {
  if (route.hosts.length === 0) return [undefined];
  const hosts = new Map<string, RouteHost>();
  let valid = true;
  for (const text of route.hosts) {
    const host = parseRouteHost(text);
    if (host.kind === 'invalid') {
      problems.push(routeError(`${where}: ${host.reason}`));
      valid = false;
    } else hosts.set(routeHostKey(host), host);
  }
  return valid ? [...hosts.values()] : undefined;
}

function duplicateError(first: Route, second: Route, hostKey: string): BerthError {
  const host = hostKey === '' ? 'any host' : `host ${hostKey}`;
  return routeError(
    `routes ${first.id} (service ${first.service}) and ${second.id} (service ${second.service}) both match ${host} and path prefix ${second.pathPrefix}`,
    'give each route its own host or path prefix, or remove one of them',
  );
}

function routeError(message: string, hint?: string): BerthError {
  return new BerthError('SPEC_BERTH', message, hint === undefined ? {} : { hint });
}
