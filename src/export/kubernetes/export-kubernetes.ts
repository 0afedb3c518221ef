import { deployPolicy } from '../../deploy/strategy.js';
import { BerthError, type Warning } from '../../errors.js';
import type { Service, Stack } from '../../model/stack.js';
import { clusterServiceFor } from './cluster-service.js';
import { ExportContext } from './export-context.js';
import { ingressFor } from './ingress.js';
import { KIND_ORDER, type ExportedObject } from './manifest.js';
import { secretObjects } from './secrets.js';
import { warnUnsupported } from './unsupported.js';
import { volumeClaims } from './volumes.js';
import { deploymentFor, jobFor } from './workloads.js';

/** What to export: a subset of services (all when empty) and the namespace written into each object. */
export interface ExportOptions {
  readonly services?: readonly string[];
  readonly namespace?: string;
}

/** The manifests, in apply order, and every warning about what could not be carried over. */
export interface KubernetesExport {
  readonly objects: readonly ExportedObject[];
  readonly warnings: readonly Warning[];
}

/**
 * Maps a loaded stack to Kubernetes objects: per service a Deployment (or a Job for a one-shot service, as
 * deployPolicy decides), a ClusterIP Service when it has ports, an Ingress for its x-berth routes; the
 * PersistentVolumeClaims of its named volumes; Secrets with placeholder values for secret env and compose secrets.
 * Pure: reads nothing, prints nothing. Objects are sorted by kind (KIND_ORDER) then name, so output is stable.
 * Throws USAGE for a service name that is not in the stack.
 */
export function exportKubernetes(stack: Stack, options: ExportOptions = {}): KubernetesExport {
  const ctx = new ExportContext(stack, options.namespace);
  const services = selectServices(stack, options.services ?? []);
  const objects: ExportedObject[] = [...secretObjects(ctx, services), ...volumeClaims(ctx, services)];
  for (const service of services) {
    warnUnsupported(ctx, service);
    const isJob = deployPolicy(service).strategy === 'job';
    objects.push(isJob ? jobFor(ctx, service) : deploymentFor(ctx, service));
    if (isJob) continue;
    const clusterService = clusterServiceFor(ctx, service);
    if (clusterService !== undefined) objects.push(clusterService);
    const ingress = ingressFor(ctx, service);
    if (ingress !== undefined) objects.push(ingress);
  }
  return { objects: sortObjects(objects), warnings: ctx.warnings };
}

function selectServices(stack: Stack, names: readonly string[]): Service[] {
  for (const name of names) {
    if (!Object.hasOwn(stack.services, name)) {
      throw new BerthError('USAGE', `no such service: \`${name}\``, { hint: `services are: ${Object.keys(stack.services).sort().join(', ')}` });
    }
  }
  const chosen = names.length === 0 ? Object.keys(stack.services) : [...new Set(names)];
  return chosen.sort().map((name) => stack.services[name] as Service);
}

function sortObjects(objects: readonly ExportedObject[]): ExportedObject[] {
  const rank = (o: ExportedObject): number => KIND_ORDER.indexOf(o.object.kind);
  return [...objects].sort((a, b) => rank(a) - rank(b) || a.object.metadata.name.localeCompare(b.object.metadata.name));
}
