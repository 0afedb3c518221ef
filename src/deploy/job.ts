import { failureText, phase, replicasOf, retire, type ServiceDeploy, type ServiceOutcome, sleep, StepFailed } from './service-deploy.js';
import { planAddReplicas } from '../plan/deploy-plans.js';

/**
 * A one-shot service (a migration) in a deploy: it runs once, with the new release's definition, before the
 * services that depend on it are touched; exit 0 lets the deploy go on, anything else stops it with nothing
 * switched. The finished run is kept (its logs stay readable) until the next deploy replaces it.
 */
export async function runJob(d: ServiceDeploy): Promise<ServiceOutcome> {
  const before = replicasOf(d).map((r) => r.replica);
  await retire(d, before, `re-run for ${d.release}`);
  const numbers = Array.from({ length: Math.max(1, d.service.replicas) }, (_, i) => i + 1);
  try {
    await phase(d, 'jobs', `${d.service.name} with ${d.release}`, async () => {
      const started = await d.target.apply(d.stack, planAddReplicas(d.stack, d.service, numbers, d.release), d.signal);
      if (!started.ok) throw new StepFailed(failureText(started));
      await completed(d, numbers);
    });
    return { ok: true };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return { ok: false, reason: `${d.service.name} failed: ${error.message}`, served: false, oldServing: true };
  }
}

/** Waits until every run exited with code 0; the first other end (or the deadline) fails the job. */
async function completed(d: ServiceDeploy, numbers: readonly number[]): Promise<void> {
  const deadline = Date.now() + d.policy.healthTimeoutMs;
  for (;;) {
    const runs = replicasOf(d, numbers);
    const bad = runs.find((r) => r.status === 'failed' || (r.status === 'exited' && r.exit?.code !== 0) || r.status === 'restarting');
    if (bad !== undefined) {
      const code = bad.exit?.code ?? null;
      throw new StepFailed(`${bad.service}-${bad.replica} exited with ${code === null ? `signal ${bad.exit?.signal ?? '?'}` : `code ${code}`}${bad.detail ? ` (${bad.detail})` : ''}`);
    }
    if (runs.length === numbers.length && runs.every((r) => r.status === 'exited' && r.exit?.code === 0)) return;
    if (Date.now() > deadline) throw new StepFailed(`did not finish within ${Math.round(d.policy.healthTimeoutMs / 1000)}s`);
    await sleep(50, d.signal);
  }
}
