import { aggregate, BerthError, type Warning } from '../../errors.js';
import type { Service, Stack } from '../../model/stack.js';
import { formatPath } from '../../spec/model-path.js';
import type { Route } from './route.js';
import { routesFromTraefikLabels, type LabelRoute } from './traefik-labels.js';

/**
 * The routes a stack declares, ready for `RouteTable.compile`: per service (in stack order) its `x-berth.routes`
 * (one Route per path of an entry), or, when it has none, what its Traefik labels say (traefik-labels.ts).
 * Ids are `<service>#<n>`, numbered per service in that order, so the same stack always gives the same ids.
 * Identical routes of one service (Traefik's usual http + https router pair) are kept once. Every route of a
 * service gets the service's `x-berth.middlewares` (RouteMiddlewares) as its `options`, `{}` when it has none.
 *
 * A route without a port takes the service's first `ports` target, else its first `expose` port; an x-berth route
 * with neither is an error (SPEC_BERTH, all such problems aggregated). What is ignored comes back as warnings.
 * Does not check conflicts between routes: `RouteTable.compile` does.
 */
export function routesFromStack(stack: Stack): { routes: Route[]; warnings: Warning[] } {
  const routes: Route[] = [];
  const warnings: Warning[] = [];
  const problems: BerthError[] = [];
  for (const service of Object.values(stack.services)) {
    const declared = service.berth.routes.length > 0 ? berthRoutes(service, problems) : traefikRoutes(service, warnings);
    if (service.berth.routes.length > 0 && hasTraefikLabels(service)) {
      warnings.push({
        message: 'Traefik labels ignored: the service declares x-berth.routes',
        path: formatPath(['services', service.name, 'labels']),
      });
    }
    routes.push(...withIds(service, declared));
  }
  if (problems.length > 0) throw aggregate(problems);
  return { routes, warnings };
}

function berthRoutes(service: Service, problems: BerthError[]): LabelRoute[] {
  return service.berth.routes.flatMap((route, i) => {
    const targetPort = route.port ?? defaultPort(service);
    if (targetPort === undefined) {
      problems.push(new BerthError('SPEC_BERTH', `service ${service.name} has no port to route to`, {
        path: formatPath(['services', service.name, 'x-berth', 'routes', i]),
        hint: 'give the route a `port`, or list the port under the service\'s `ports` or `expose`',
      }));
      return [];
    }
    return route.paths.map((pathPrefix) => ({ hosts: route.hosts, pathPrefix, stripPrefix: route.stripPrefix, targetPort }));
  });
}

function traefikRoutes(service: Service, warnings: Warning[]): LabelRoute[] {
  const result = routesFromTraefikLabels({ service: service.name, labels: service.labels, defaultPort: defaultPort(service) });
  warnings.push(...result.warnings);
  return result.routes;
}

function hasTraefikLabels(service: Service): boolean {
  return Object.keys(service.labels).some((key) => key.toLowerCase().startsWith('traefik.'));
}

/** The first TCP `ports` target, else the first `expose` entry (`"8000"`, `"8000-8010"`, `"8000/tcp"`). */
function defaultPort(service: Service): number | undefined {
  const published = service.ports.find((port) => port.protocol === 'tcp');
  if (published !== undefined) return published.target;
  for (const entry of service.expose) {
    const match = /^(\d+)(?:-\d+)?(?:\/(\w+))?$/.exec(entry);
    if (match !== null && (match[2] === undefined || match[2] === 'tcp')) return Number(match[1]);
  }
  return undefined;
}

/** Numbers the routes of a service; each carries the service's `x-berth.middlewares` as its `options`. */
function withIds(service: Service, declared: readonly LabelRoute[]): Route[] {
  const options: Readonly<Record<string, unknown>> = Object.freeze({ ...service.berth.middlewares });
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const route of declared) {
    const key = JSON.stringify([[...route.hosts].map((h) => h.toLowerCase()).sort(), route.pathPrefix, route.stripPrefix, route.targetPort]);
    if (seen.has(key)) continue;
    seen.add(key);
    const id = `${service.name}#${routes.length}`;
    routes.push(Object.freeze({ id, service: service.name, ...route, hosts: Object.freeze([...route.hosts]), options }));
  }
  return routes;
}
