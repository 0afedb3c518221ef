import type { Warning } from '../../errors.js';
import { formatPath } from '../../spec/model-path.js';
import { parseRouteHost } from './host-name.js';
import { parseTraefikRule } from './traefik-rule.js';

/** A route read from Traefik labels, before it gets an id: see Route for the meaning of each field. */
export interface LabelRoute {
  readonly hosts: readonly string[];
  readonly pathPrefix: string;
  readonly stripPrefix: boolean;
  readonly targetPort: number;
}

export interface TraefikLabelsInput {
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The service's own port (first `ports` target, else first `expose`), used when no label gives one. */
  readonly defaultPort: number | undefined;
}

/**
 * Turns the Traefik labels of one service (seed 004's setup) into routes: `traefik.enable=true`, each router's
 * `rule` (see traefik-rule.ts), its `service` and the port of `traefik.http.services.<s>.loadbalancer.server.port`,
 * and `stripprefix` middlewares the router references. Every other `traefik.*` label gives a Warning naming it and
 * saying why berth ignores it; a router whose rule or port cannot be used is skipped with a warning.
 * Pure: reads only its input.
 */
export function routesFromTraefikLabels(input: TraefikLabelsInput): { routes: LabelRoute[]; warnings: Warning[] } {
  const reader = new LabelReader(input);
  const keys = Object.keys(input.labels).filter((key) => key.toLowerCase().startsWith('traefik.'));
  if (keys.length === 0) return { routes: [], warnings: [] };
  const enable = Object.entries(input.labels).find(([key]) => key.toLowerCase() === 'traefik.enable');
  if (enable?.[1].toLowerCase() !== 'true') {
    reader.warn(enable?.[0], 'Traefik labels ignored: traefik.enable is not true');
    return { routes: [], warnings: reader.warnings };
  }
  reader.consume(enable[0]);
  const routers = reader.group('traefik.http.routers.');
  const routes = [...routers.keys()].sort().flatMap((name) => reader.routerRoutes(name, routers.get(name) ?? new Map()));
  if (routers.size === 0) reader.warn(enable[0], 'no traefik.http.routers.<name>.rule label, so no route (berth has no default rule)');
  for (const key of keys) if (!reader.consumed.has(key)) reader.warn(key, ignoredBecause(key.toLowerCase()));
  return { routes, warnings: reader.warnings };
}

/** The labels of one service, grouped and marked as they are understood. */
class LabelReader {
  readonly warnings: Warning[] = [];
  readonly consumed = new Set<string>();
  readonly #input: TraefikLabelsInput;
  readonly #middlewares: Map<string, Map<string, string>>;
  readonly #services: Map<string, Map<string, string>>;

  constructor(input: TraefikLabelsInput) {
    this.#input = input;
    this.#middlewares = this.group('traefik.http.middlewares.');
    this.#services = this.group('traefik.http.services.');
  }

  warn(label: string | undefined, message: string): void {
    const path = label === undefined ? ['services', this.#input.service, 'labels'] : ['services', this.#input.service, 'labels', label];
    this.warnings.push({ message, path: formatPath(path) });
  }

  consume(label: string): void {
    this.consumed.add(label);
  }

  /** `prefix<name>.<setting>` labels as name → (lower-case setting → original label key). */
  group(prefix: string): Map<string, Map<string, string>> {
    const groups = new Map<string, Map<string, string>>();
    for (const key of Object.keys(this.#input.labels)) {
      if (!key.toLowerCase().startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const dot = rest.indexOf('.');
      if (dot <= 0) continue;
      const name = rest.slice(0, dot);
      const settings = groups.get(name) ?? new Map<string, string>();
      settings.set(rest.slice(dot + 1).toLowerCase(), key);
      groups.set(name, settings);
    }
    return groups;
  }

  value(label: string): string {
    return this.#input.labels[label] ?? '';
  }

  routerRoutes(name: string, settings: ReadonlyMap<string, string>): LabelRoute[] {
    const ruleLabel = settings.get('rule');
    if (ruleLabel === undefined) {
      this.warn([...settings.values()][0], `router ${name} has no rule label; skipped (berth has no default rule)`);
      return [];
    }
    this.consume(ruleLabel);
    const rule = parseTraefikRule(this.value(ruleLabel));
    if (!rule.ok) return this.#skip(ruleLabel, `cannot use the rule: ${rule.reason}; router ${name} skipped (declare it in x-berth.routes)`);
    const badHost = rule.alternatives.flatMap((a) => a.hosts).map(parseRouteHost).find((h) => h.kind === 'invalid');
    if (badHost?.kind === 'invalid') return this.#skip(ruleLabel, `${badHost.reason}; router ${name} skipped`);
    const badPath = rule.alternatives.flatMap((a) => a.paths).find((p) => !p.startsWith('/') || /[?#\s]|\/\//.test(p));
    if (badPath !== undefined) return this.#skip(ruleLabel, `invalid path prefix ${JSON.stringify(badPath)}; router ${name} skipped`);
    const port = this.#port(name, ruleLabel, settings);
    if (port === undefined) return [];
    const middlewaresLabel = settings.get('middlewares');
    const strip = this.#stripPrefixes(middlewaresLabel);
    return rule.alternatives.flatMap(({ hosts, paths }) => paths.map((pathPrefix) => ({
      hosts, pathPrefix, targetPort: port, stripPrefix: this.#strips(strip, pathPrefix, { router: name, label: middlewaresLabel }),
    })));
  }

  #skip(label: string, message: string): [] {
    this.warn(label, message);
    return [];
  }

  /** The router's `service` label, else the only service of the labels, else the compose service's own port. */
  #port(router: string, ruleLabel: string, settings: ReadonlyMap<string, string>): number | undefined {
    const serviceLabel = settings.get('service');
    if (serviceLabel !== undefined) this.consume(serviceLabel);
    const names = [...this.#services.keys()];
    const wanted = serviceLabel === undefined ? undefined : this.value(serviceLabel).replace(/@.*$/, '');
    if (wanted === undefined && names.length > 1) {
      this.warn(ruleLabel, `router ${router} does not say which of the services ${names.join(', ')} it uses (add its service label); skipped`);
      return undefined;
    }
    const name = wanted ?? names[0];
    const portLabel = name === undefined ? undefined : this.#services.get(name)?.get('loadbalancer.server.port');
    if (portLabel === undefined) {
      if (this.#input.defaultPort !== undefined && (name === undefined || this.#services.has(name))) return this.#input.defaultPort;
      const why = name === undefined || this.#services.has(name) ? 'no port label and the service has no ports or expose' : `its service ${name} is not defined in these labels`;
      this.warn(serviceLabel ?? ruleLabel, `router ${router}: ${why}; skipped`);
      return undefined;
    }
    this.consume(portLabel);
    const port = Number(this.value(portLabel));
    if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
    this.warn(portLabel, `expected a port number from 1 to 65535, got ${JSON.stringify(this.value(portLabel))}; router ${router} skipped`);
    return undefined;
  }

  /** The prefixes of the stripprefix middlewares a router references; other referenced middlewares warn. */
  #stripPrefixes(middlewaresLabel: string | undefined): string[] {
    if (middlewaresLabel === undefined) return [];
    this.consume(middlewaresLabel);
    const prefixes: string[] = [];
    for (const reference of this.value(middlewaresLabel).split(',').map((m) => m.trim()).filter(Boolean)) {
      const name = reference.replace(/@.*$/, '');
      const prefixesLabel = this.#middlewares.get(name)?.get('stripprefix.prefixes');
      if (prefixesLabel !== undefined) {
        this.consume(prefixesLabel);
        prefixes.push(...this.value(prefixesLabel).split(',').map((p) => p.trim()).filter(Boolean));
      } else if (this.#middlewares.has(name)) {
        this.warn(middlewaresLabel, `middleware ${reference} is not supported from Traefik labels (see its own labels); ignored`);
      } else {
        this.warn(middlewaresLabel, `middleware ${reference} is not defined in this service's labels; ignored (berth's middlewares, HTTP→HTTPS redirect included, are set in x-berth)`);
      }
    }
    return prefixes;
  }

  /** berth strips exactly the matched prefix: a stripprefix that names the router's PathPrefix does that. */
  #strips(prefixes: readonly string[], pathPrefix: string, where: { router: string; label: string | undefined }): boolean {
    if (prefixes.length === 0) return false;
    const bare = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);
    if (prefixes.some((p) => bare(p) === bare(pathPrefix))) return true;
    this.warn(where.label, `router ${where.router}: stripprefix prefixes ${prefixes.join(', ')} do not include its path prefix ${pathPrefix}; berth strips only the matched path prefix, so nothing is stripped`);
    return false;
  }
}

/** Why berth ignores a Traefik label it does not read; `key` is lower case. */
function ignoredBecause(key: string): string {
  if (key.startsWith('traefik.docker.')) return 'a Docker provider setting; berth reaches replicas directly, ignored';
  if (key.startsWith('traefik.constraint-label') || key === 'traefik.tags') {
    return 'a Traefik constraint; berth routes every service that declares routes, ignored';
  }
  if (key.startsWith('traefik.tcp.') || key.startsWith('traefik.udp.')) return 'TCP and UDP routing is not supported by berth; ignored';
  const router = /^traefik\.http\.routers\.[^.]+\.(.+)$/.exec(key)?.[1];
  if (router !== undefined) return routerSettingIgnored(router);
  if (/^traefik\.http\.services\.[^.]+\./.test(key)) return 'load balancing and upstream health are berth\'s own (x-berth); ignored';
  const middleware = /^traefik\.http\.middlewares\.[^.]+\.([^.]+)(.*)$/.exec(key);
  if (middleware?.[1] !== undefined) return middlewareIgnored(middleware[1], middleware[2] ?? '');
  return 'not supported by berth; ignored';
}

function routerSettingIgnored(setting: string): string {
  if (setting === 'entrypoints') return 'berth\'s proxy serves every route on its HTTP and HTTPS ports (x-berth.proxy); entrypoints ignored';
  if (setting === 'tls') return 'tls is automatic with berth\'s ACME; ignored';
  if (setting === 'tls.certresolver') return 'tls is automatic with berth\'s ACME; certresolver ignored';
  if (setting.startsWith('tls.')) return 'tls is automatic with berth\'s ACME (or certificate files in x-berth); ignored';
  if (setting === 'priority') return 'berth picks the most specific host, then the longest path prefix; priority ignored';
  return 'a router setting berth does not read; ignored';
}

function middlewareIgnored(kind: string, setting: string): string {
  switch (kind) {
    case 'redirectscheme': return 'berth redirects HTTP to HTTPS itself (x-berth); redirectscheme ignored';
    case 'stripprefix':
      return setting === '.prefixes' ? 'no router references this stripprefix middleware; ignored' : 'a stripprefix setting berth does not read; ignored';
    case 'headers': case 'ratelimit': case 'basicauth': case 'ipallowlist': case 'ipwhitelist': case 'compress':
      return `berth has its own ${kind} middleware, configured in x-berth; ignored`;
    default: return `the ${kind} middleware is not supported by berth; ignored`;
  }
}
