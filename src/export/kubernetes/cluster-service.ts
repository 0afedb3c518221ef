import type { Service } from '../../model/stack.js';
import type { ExportContext } from './export-context.js';
import { kubeName } from './kube-name.js';
import { selectorLabels } from './labels.js';
import type { ExportedObject } from './manifest.js';
import { containerPorts, inferredPort } from './ports.js';

/**
 * A ClusterIP Service for a service with `ports:` or `expose:`, named after the compose service so the names other
 * services use (`db`, `redis`) keep resolving; each port keeps its number. Published host ports are not carried
 * over (a warning says so unless an x-berth route makes an Ingress); a name Kubernetes cannot use is warned about.
 */
export function clusterServiceFor(ctx: ExportContext, service: Service): ExportedObject | undefined {
  const ports = containerPorts(service);
  const name = kubeName(service.name);
  if (name !== service.name) {
    ctx.warn(`services.${service.name}`, `is named ${name} in Kubernetes (names allow only a-z, 0-9 and -): update host names that point at it`);
  }
  if (ports.length === 0) return undefined;
  const inferred = inferredPort(service);
  if (inferred !== undefined) {
    ctx.warn(`services.${service.name}`, `has no ports or expose: its Service uses ${inferred}, the standard port of ${service.image ?? ''} (add expose: to change it)`);
  }
  const published = service.ports.filter((p) => p.published !== undefined).map((p) => p.published as string);
  if (published.length > 0 && service.berth.routes.length === 0) {
    ctx.warn(`services.${service.name}.ports`, `published port ${published.join(', ')} is reachable only inside the cluster (ClusterIP): add an x-berth route for an Ingress, or port-forward`);
  }
  return {
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: ctx.meta(name, service.name),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(ctx.stack, service.name),
        ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol.toUpperCase(), targetPort: p.name })),
      },
    },
  };
}
