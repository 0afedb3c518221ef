import type { Service } from '../../model/stack.js';
import type { ExportContext } from './export-context.js';
import { kubeName } from './kube-name.js';
import type { ExportedObject } from './manifest.js';
import { containerPorts, mainPort } from './ports.js';

/** Annotation on an Ingress listing path prefixes the backend expects stripped (needs a controller rewrite). */
export const STRIP_PREFIX_ANNOTATION = 'berth.dev/strip-prefix';

/**
 * An Ingress for a service's x-berth routes: one rule per host, each path a `Prefix` path to the service's port
 * (the route's `port`, else the service's first port). `strip_prefix` is not portable across controllers: the
 * prefixes are listed in an annotation and a warning says to configure the rewrite (nginx-ingress:
 * `rewrite-target` with a regex path). With `x-berth.tls`, every host is in `tls` with Secret `<service>-tls`,
 * which the user (or cert-manager) must provide. No ingressClassName: the cluster's default class is used.
 */
export function ingressFor(ctx: ExportContext, service: Service): ExportedObject | undefined {
  if (service.berth.routes.length === 0) return undefined;
  const name = kubeName(service.name);
  const paths = new Map<string, Map<string, number>>();
  const stripped = new Set<string>();
  service.berth.routes.forEach((route, index) => {
    const port = route.port ?? mainPort(service);
    if (port === undefined) {
      ctx.warn(`services.${service.name}.x-berth.routes[${index}]`, 'no port to route to: set `port:` or add `ports:`/`expose:`; left out');
      return;
    }
    if (!containerPorts(service).some((p) => p.port === port)) {
      ctx.warn(`services.${service.name}.x-berth.routes[${index}]`, `routes to port ${port}, which the service does not list: add it to \`expose:\` so its Service has it`);
    }
    const prefixes = route.paths.length === 0 ? ['/'] : route.paths;
    for (const host of route.hosts) {
      const forHost = paths.get(host) ?? new Map<string, number>();
      for (const prefix of prefixes) forHost.set(prefix, port);
      paths.set(host, forHost);
    }
    if (route.stripPrefix) for (const prefix of prefixes) stripped.add(prefix);
  });
  if (paths.size === 0) return undefined;
  if (stripped.size > 0) {
    ctx.warn(`services.${service.name}.x-berth.routes`, `strip_prefix (${[...stripped].sort().join(', ')}) needs a rewrite in your ingress controller (nginx-ingress: rewrite-target with a regex path)`);
  }
  const hosts = [...paths.keys()].sort();
  const tls = ctx.stack.berth.tls === undefined ? undefined : [{ hosts, secretName: `${name}-tls` }];
  if (tls !== undefined) ctx.warn(`services.${service.name}.x-berth.routes`, `TLS: provide Secret ${name}-tls (type kubernetes.io/tls) for ${hosts.join(', ')}, e.g. with cert-manager`);
  return {
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: ctx.meta(name, service.name, stripped.size === 0 ? undefined : { [STRIP_PREFIX_ANNOTATION]: [...stripped].sort().join(',') }),
      spec: {
        rules: hosts.map((host) => ({
          host,
          http: {
            paths: [...(paths.get(host) ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)).map(([prefix, port]) => ({
              path: prefix,
              pathType: 'Prefix',
              backend: { service: { name, port: { number: port } } },
            })),
          },
        })),
        ...(tls === undefined ? {} : { tls }),
      },
    },
    ...(stripped.size === 0 ? {} : { comment: `${service.name}: the backend expects ${[...stripped].sort().join(', ')} stripped; configure a rewrite in your ingress controller.` }),
  };
}
