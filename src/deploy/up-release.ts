import type { Service, Stack } from '../model/stack.js';
import { serviceFingerprint } from '../plan/fingerprint.js';
import type { Release } from './release.js';
import type { ReleaseStore } from './release-store.js';

/**
 * The release each service of an `up` runs as (BERTH_RELEASE of the replicas it creates): the service's current
 * release when that release has the same definition, else one new release (kind `up`) for every service whose
 * definition is new. `created` is that new release, to be marked active or failed with the outcome of the `up`.
 */
export function releasesForUp(stack: Stack, services: readonly string[], store: ReleaseStore): { ids: Record<string, string>; created?: Release } {
  const ids: Record<string, string> = {};
  const changed: Service[] = [];
  for (const name of services) {
    const service = stack.services[name];
    if (service === undefined) continue;
    const current = store.current(name);
    if (current !== undefined && current.services[name]?.fingerprint === serviceFingerprint(service)) ids[name] = current.id;
    else changed.push(service);
  }
  if (changed.length === 0) return { ids };
  const created = store.create('up', changed);
  for (const service of changed) ids[service.name] = created.id;
  return { ids, created };
}
