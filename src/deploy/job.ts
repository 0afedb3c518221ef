import { phase, replicasOf, retire, type ServiceDeploy, type ServiceOutcome, startNew, StepFailed } from './service-deploy.js';

/**
 * A one-shot service (a migration) in a deploy: it runs once, with the new release's definition, before the
 * services that depend on it are touched; exit 0 lets the deploy go on, anything else stops it with nothing
 * switched. The finished run is kept (its logs stay readable) until the next deploy replaces it.
 */
export async function runJob(d: ServiceDeploy): Promise<ServiceOutcome> {
  const before = replicasOf(d).map((r) => r.replica);
  await retire(d, before, `re-run for ${d.release}`);
  try {
    await phase(d, 'jobs', `${d.service.name} with ${d.release}`, () => startNew(d, Math.max(1, d.service.replicas)));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return { ok: false, reason: `${d.service.name} failed: ${error.message.replace(/^new replicas (did not start|never became healthy): /, '')}`, rolledBack: true };
  }
}
