import type { Resources, Service } from '../../model/stack.js';

/** Kubernetes quantities: cpus as millicores (`500m`), memory rounded up to whole mebibytes (`512Mi`). */
export function resourcesFor(service: Service): Record<string, Record<string, string>> | undefined {
  const limits = quantities(service.deploy?.limits);
  const requests = quantities(service.deploy?.reservations);
  const out: Record<string, Record<string, string>> = {};
  if (limits !== undefined) out.limits = limits;
  if (requests !== undefined) out.requests = requests;
  return Object.keys(out).length === 0 ? undefined : out;
}

function quantities(resources: Resources | undefined): Record<string, string> | undefined {
  if (resources === undefined) return undefined;
  const out: Record<string, string> = {};
  if (resources.cpus !== undefined && resources.cpus > 0) out.cpu = `${Math.max(1, Math.round(resources.cpus * 1000))}m`;
  if (resources.memoryBytes !== undefined && resources.memoryBytes > 0) out.memory = `${Math.ceil(resources.memoryBytes / 1048576)}Mi`;
  return Object.keys(out).length === 0 ? undefined : out;
}
