import { drain, liveReplicas, phase, retire, route, type ServiceDeploy, type ServiceOutcome, startNew, StepFailed } from './service-deploy.js';

/**
 * Recreate, for services that cannot run twice (a single-writer worker, a singleton scheduler): the old replicas
 * are stopped first, then the new ones started. There is downtime between the two, said in the progress. A new
 * release that fails to become ready is replaced by the old definition again.
 */
export async function recreate(d: ServiceDeploy, rollBackTo: ServiceDeploy | undefined): Promise<ServiceOutcome> {
  const old = liveReplicas(d).map((r) => r.replica);
  d.emit({ type: 'deploy', at: Date.now(), release: d.release, service: d.service.name, phase: 'stop', state: 'info', detail: 'recreate: the service is down from the stop of the old replicas until the new ones are ready' });
  route(d, undefined);
  await phase(d, 'drain', undefined, () => drain(d, old));
  await phase(d, 'stop', undefined, () => retire(d, old, `recreated as ${d.release}`));
  try {
    await startNew(d, d.service.replicas);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    if (rollBackTo === undefined || old.length === 0) return { ok: false, reason: error.message, served: false, oldServing: false };
    await phase(rollBackTo, 'rollback', error.message, () => startNew(rollBackTo, old.length));
    return { ok: false, reason: error.message, served: false, oldServing: true };
  }
}
