import type { Stack } from '../model/stack.js';
import { planRetire } from '../plan/deploy-plans.js';
import type { DeployTarget } from './deploy-target.js';
import type { Release } from './release.js';
import type { ReleaseStore } from './release-store.js';
import { upstreamsOf } from './service-deploy.js';
import { trafficTo } from './traffic.js';

/** How an interrupted release ended for one service. */
export interface Recovery {
  readonly release: string;
  readonly service: string;
  /** `old`: the replicas of the release it replaced serve, its own were stopped; `new`: it had replaced them. */
  readonly kept: 'old' | 'new';
}

/**
 * Ends the deploys a dead daemon left half-way on exactly one release per service, without a gap in serving:
 * for each service of a `deploying` release, when replicas of another release still run, traffic is pinned to
 * them and the interrupted release's replicas are stopped (the deploy is rolled back: `interrupted`); when the
 * old replicas were already gone (the daemon died while draining or stopping them), the new ones stay and the
 * release becomes `active`. Run after the replicas were adopted, before the first proxy update.
 */
export async function recoverInterrupted(stack: Stack, target: DeployTarget, store: ReleaseStore): Promise<Recovery[]> {
  const out: Recovery[] = [];
  for (const release of store.deploying()) out.push(...(await recoverRelease(stack, target, store, release)));
  return out;
}

/** Waits until nothing is in flight to these upstreams, at most DRAIN_MS. */
async function drained(target: DeployTarget, upstreams: readonly string[]): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline && (await target.inFlight(upstreams)) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** How long the interrupted release's replicas get to finish their requests once traffic left them. */
const DRAIN_MS = 30_000;

async function recoverRelease(stack: Stack, target: DeployTarget, store: ReleaseStore, release: Release): Promise<Recovery[]> {
  const out: Recovery[] = [];
  for (const service of Object.keys(release.services)) {
    const replicas = target.replicas().filter((r) => r.service === service);
    const mine = replicas.filter((r) => r.release === release.id);
    const others = replicas.filter((r) => r.release !== release.id && r.status === 'running');
    if (others.length === 0 || mine.length === 0) {
      out.push({ release: release.id, service, kept: mine.length > 0 ? 'new' : 'old' });
      continue;
    }
    target.setTraffic(service, trafficTo(others.map((r) => r.replica)));
    await drained(target, upstreamsOf(mine));
    const wanted = new Set(mine.map((r) => r.replica));
    const observed = target.observed().replicas.filter((r) => r.service === service && wanted.has(r.replica));
    await target.apply(stack, planRetire(observed, `deploy of ${release.id} interrupted`), new AbortController().signal);
    target.setTraffic(service, undefined);
    out.push({ release: release.id, service, kept: 'old' });
  }
  const rolledBack = out.some((r) => r.kept === 'old');
  store.setStatus(release.id, rolledBack ? 'interrupted' : 'active', rolledBack ? 'the daemon stopped during the deploy: rolled back' : 'completed after the daemon restarted');
  return out;
}
