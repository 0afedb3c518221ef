import { BerthError } from '../errors.js';
import type { Service, Stack } from '../model/stack.js';
import type { DeployRequest } from './deployer.js';
import { parseReleaseId, type Release, type ReleaseId } from './release.js';
import type { ReleaseStore } from './release-store.js';

/**
 * `berth rollback [release]` as a deploy: the named release's services (default: the services of the newest
 * active release, each at the release it replaced) deployed again with their recorded definitions, with the same
 * health gates, switch and watch as any deploy. The rest of the stack stays as it is.
 */
export function rollbackRequest(stack: Stack, store: ReleaseStore, wanted: string | undefined): DeployRequest & { readonly rollbackOf: ReleaseId } {
  const target = wanted === undefined ? defaultTarget(store) : named(store, wanted);
  const services: Record<string, Service> = { ...stack.services };
  const names: string[] = [];
  for (const [name, entry] of Object.entries(target.services)) {
    if (!(name in stack.services)) continue;
    services[name] = entry.spec;
    names.push(name);
  }
  if (names.length === 0) {
    throw new BerthError('DEPLOY_NO_RELEASE', `release ${target.id} has no service that is still in the stack`, { hint: 'see `berth releases`' });
  }
  return { stack: { ...stack, services }, services: names, rollbackOf: target.id };
}

function named(store: ReleaseStore, wanted: string): Release {
  const id = parseReleaseId(wanted);
  const release = id === undefined ? undefined : store.get(id);
  if (release === undefined) {
    throw new BerthError('DEPLOY_NO_RELEASE', `there is no release ${JSON.stringify(wanted)}`, { hint: 'release ids look like r12; `berth releases` lists them' });
  }
  if (release.activatedAt === undefined) {
    throw new BerthError('DEPLOY_NO_RELEASE', `release ${release.id} never served (it ${release.status === 'deploying' ? 'is still deploying' : `ended ${release.status}`}): there is nothing to go back to`, {
      hint: 'pick a release that was active, see `berth releases`',
    });
  }
  return release;
}

/** The release before the newest active one, for that release's services. */
function defaultTarget(store: ReleaseStore): Release {
  const newest = store.list().find((r) => r.status === 'active');
  const service = newest === undefined ? undefined : Object.keys(newest.services)[0];
  const previous = newest === undefined || service === undefined ? undefined : store.previous(service, newest.id);
  if (previous === undefined) {
    throw new BerthError('DEPLOY_NO_RELEASE', 'there is no earlier release to roll back to', { hint: '`berth releases` lists the releases' });
  }
  return previous;
}
