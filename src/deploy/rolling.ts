import { Baseline, watchWindow } from './watch.js';
import { drain, liveReplicas, phase, retire, route, type ServiceDeploy, type ServiceOutcome, startNew, StepFailed } from './service-deploy.js';
import { trafficTo } from './traffic.js';

/**
 * Rolling: replicas are replaced a batch (`parallelism`) at a time. `start-first` starts a batch of the new
 * release, waits until it is ready, moves traffic onto it and drains and stops a batch of old replicas; `stop-first`
 * drains and stops the old batch first (fewer replicas for a moment, never more). A batch that fails to become
 * ready is stopped and the replicas already replaced are rolled back to the old definition the same way; the
 * untouched old replicas never stopped serving. After the last batch the watch window applies as for blue-green,
 * except that a regression can only be answered by rolling the old definition back in.
 */
export async function rolling(d: ServiceDeploy, rollBackTo: ServiceDeploy | undefined): Promise<ServiceOutcome> {
  const remaining = liveReplicas(d).map((r) => r.replica);
  const old = [...remaining];
  const { parallelism, order } = d.policy.rolling;
  const baseline = new Baseline(d, old);
  const fresh: number[] = [];
  let target = d.service.replicas;
  try {
    while (remaining.length > 0 || fresh.length < target) {
      const batchOld = remaining.splice(0, Math.max(1, parallelism));
      const batchNew = Math.min(Math.max(1, parallelism), target - fresh.length);
      await phase(d, 'batch', `${batchOld.length} old → ${batchNew} new`, async () => {
        if (order === 'stop-first') await retireOld(d, batchOld, [...remaining, ...fresh]);
        fresh.push(...(batchNew > 0 ? await startNew(d, batchNew) : []));
        if (order === 'start-first') await retireOld(d, batchOld, [...remaining, ...fresh]);
        else route(d, trafficTo([...remaining, ...fresh]));
      });
      if (d.policy.rolling.delayMs > 0 && remaining.length > 0) await new Promise((resolve) => setTimeout(resolve, d.policy.rolling.delayMs));
      target = d.service.replicas;
    }
  } catch (error) {
    baseline.close();
    if (!(error instanceof StepFailed)) throw error;
    return rollBack(d, rollBackTo, fresh, remaining, error.message);
  }
  baseline.close();
  const reason = await watchWindow(d, fresh, [], baseline, d.policy.watchMs);
  route(d, undefined);
  if (reason !== undefined) return rollBack(d, rollBackTo, fresh, [], reason);
  return { ok: true };
}

/** Takes the batch out of the proxy's rotation, drains it and stops it. */
async function retireOld(d: ServiceDeploy, batch: readonly number[], serving: readonly number[]): Promise<void> {
  if (batch.length === 0) return;
  route(d, trafficTo(serving));
  await drain(d, batch);
  await retire(d, batch, `replaced by ${d.release}`);
}

/** Replaces the new replicas with the old definition again (rolling, start-first), keeping the untouched ones. */
async function rollBack(d: ServiceDeploy, to: ServiceDeploy | undefined, fresh: readonly number[], untouched: readonly number[], reason: string): Promise<ServiceOutcome> {
  if (to === undefined || fresh.length === 0) {
    route(d, untouched.length > 0 ? trafficTo(untouched) : undefined);
    route(d, undefined);
    return { ok: false, reason, served: fresh.length > 0, oldServing: fresh.length === 0 };
  }
  try {
    await phase(d, 'rollback', reason, async () => {
      let serving = [...untouched, ...fresh];
      for (const n of fresh) {
        const back = await startNew(to, 1);
        serving = [...serving.filter((s) => s !== n), ...back];
        await retireOld(to, [n], serving);
      }
      route(d, undefined);
    });
  } catch (error) {
    route(d, undefined);
    return { ok: false, reason: `${reason}; rolling back failed too: ${error instanceof Error ? error.message : String(error)}`, served: true, oldServing: false };
  }
  return { ok: false, reason, served: true, oldServing: true };
}
