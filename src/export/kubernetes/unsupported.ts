import type { Service } from '../../model/stack.js';
import type { ExportContext } from './export-context.js';

/**
 * Warns about every part of a service the export does not carry over, naming the service and the key, so nothing
 * is dropped silently: compose keys berth keeps verbatim (`privileged`, `network_mode`, `devices`, `cap_add`, …),
 * `user`, `hostname`, `container_name`, labels, networks (when the stack uses several: a cluster network is
 * flat), configs, placement.
 */
export function warnUnsupported(ctx: ExportContext, service: Service): void {
  const warn = (key: string, why: string): void => ctx.warn(`services.${service.name}.${key}`, why);
  for (const key of Object.keys(service.other).sort()) warn(key, 'has no Kubernetes mapping in the export: left out');
  if (service.user !== undefined) warn('user', 'not carried over: set securityContext.runAsUser/runAsGroup (numeric ids) yourself');
  if (service.hostname !== undefined) warn('hostname', 'not carried over (pods are named by Kubernetes)');
  if (service.containerName !== undefined) warn('container_name', 'not carried over (pods are named by Kubernetes)');
  if (Object.keys(service.labels).length > 0) warn('labels', 'container labels are not carried over');
  // One network shared by every service isolates nothing, so only a stack with several is worth a warning.
  const stackNetworks = new Set(Object.values(ctx.stack.services).flatMap((s) => Object.keys(s.networks)));
  if (stackNetworks.size > 1) warn('networks', `${Object.keys(service.networks).sort().join(', ')}: a cluster network is flat (use NetworkPolicies to isolate services)`);
  if (service.configs.length > 0) warn('configs', 'not carried over: mount a ConfigMap with the files yourself');
  const placement = service.deploy?.placement;
  if (placement !== undefined && (placement.constraints.length > 0 || placement.preferences.length > 0)) warn('deploy.placement', 'not carried over: use nodeSelector / affinity');
  for (const key of Object.keys(service.extensions).sort()) warn(key, 'extension key not carried over');
}
