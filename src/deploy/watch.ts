import type { RequestRecord } from '../proxy/forward/proxy-context.js';
import type { ReplicaView } from '../supervisor/supervisor.js';
import { phase, replicasOf, type ServiceDeploy, sleep, StepFailed, upstreamsOf } from './service-deploy.js';
import { WatchVerdict } from './watch-verdict.js';

/** How often the watch looks at health and the live figures. */
const CHECK_EVERY_MS = 500;
/** Latencies of the new release's first second are left out of its p95. */
const WARM_UP_MS = 1_000;

/** Requests to the old release before the switch: the figures the new release is compared with. */
export class Baseline {
  readonly verdict: WatchVerdict;
  private readonly stop: () => void;

  constructor(d: ServiceDeploy, old: readonly number[]) {
    this.verdict = new WatchVerdict(d.policy.thresholds);
    const upstreams = new Set(upstreamsOf(replicasOf(d, old)));
    this.stop = d.target.onRecord((record) => {
      if (record.upstream !== undefined && upstreams.has(record.upstream)) this.verdict.baseline(record);
    });
  }

  close(): void {
    this.stop();
  }
}

/**
 * The watch window after a switch: every half second, the new replicas must still run and be healthy, and the
 * new release's live 5xx rate and p95 latency (from the proxy's records) must not regress beyond the thresholds
 * compared with the baseline. Resolves with the reason to roll back, or undefined when the window passed.
 */
export async function watchWindow(d: ServiceDeploy, fresh: readonly number[], old: readonly number[], baseline: Baseline, windowMs: number): Promise<string | undefined> {
  if (windowMs <= 0) return undefined;
  const newUp = new Set(upstreamsOf(replicasOf(d, fresh)));
  const oldUp = new Set(upstreamsOf(replicasOf(d, old)));
  const sideOf = (upstream: string): 'old' | 'new' | undefined => (newUp.has(upstream) ? 'new' : oldUp.has(upstream) ? 'old' : undefined);
  const started = Date.now();
  // The first requests of a new release meet cold processes: they count for its error rate, not its latency.
  const observe = (record: RequestRecord): void => baseline.verdict.observe(record, sideOf, { latency: Date.now() - started >= WARM_UP_MS });
  const stop = d.routed ? d.target.onRecord(observe) : () => undefined;
  try {
    await phase(d, 'watch', `${Math.round(windowMs / 1000)}s`, async () => {
      const end = started + windowMs;
      let failing = 0;
      while (Date.now() < end) {
        await sleep(Math.min(CHECK_EVERY_MS, Math.max(0, end - Date.now())), d.signal);
        const sick = unhealthy(replicasOf(d, fresh), fresh.length);
        if (sick !== undefined) throw new StepFailed(sick);
        const verdict = baseline.verdict.verdict();
        // A regression must hold at two checks in a row: one slow burst (a GC, a busy host) is not a bad release.
        failing = verdict.ok ? 0 : failing + 1;
        if (!verdict.ok && failing >= 2) throw new StepFailed(verdict.reason);
      }
    });
    return undefined;
  } catch (error) {
    if (error instanceof StepFailed) return error.message;
    throw error;
  } finally {
    stop();
  }
}

/** Why the new replicas are not fit to serve, if they are not. */
function unhealthy(replicas: readonly ReplicaView[], expected: number): string | undefined {
  if (replicas.length < expected) return 'a new replica disappeared';
  for (const r of replicas) {
    if (r.status !== 'running') return `${r.service}-${r.replica} is ${r.status}${r.detail ? ` (${r.detail})` : ''}`;
    if (r.health === 'unhealthy') return `${r.service}-${r.replica} is unhealthy${r.healthReason ? `: ${r.healthReason}` : ''}`;
  }
  return undefined;
}
