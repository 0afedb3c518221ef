import type { Clock } from '../health/clock.js';
import { formatDuration } from '../spec/duration.js';
import { type Failure, hasHealthcheck, readiness } from './dependency-gates.js';
import type { ReplicaRecord } from './replica-record.js';
import type { ReplicaStore } from './replica-store.js';

export interface WaitReadyOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * How long a running replica without a healthcheck must have run to count as ready: one that exits at once and
   * is restarted (a crash loop) is `running` for an instant, which must not pass `--wait`. 0 = at once.
   */
  readonly settleMs?: number;
  readonly clock?: Clock;
}

/**
 * `up --wait`: resolves once every replica is ready (running, healthy when it has a healthcheck, or completed with
 * exit 0), or as soon as one fails, with the failures (empty = all ready). Replicas still pending at the deadline
 * fail with SUPERVISOR_TIMEOUT. Rejects with SUPERVISOR_ABORTED when cancelled.
 */
export function waitReady(records: readonly ReplicaRecord[], store: ReplicaStore, options: WaitReadyOptions): Promise<Failure[]> {
  const settleMs = options.settleMs ?? 0;
  let cancelRecheck: (() => void) | undefined;
  const check = (): Failure[] | undefined => {
    cancelRecheck?.();
    const now = options.clock?.now() ?? Date.now();
    const unsettled = records.map((record) => settleMs - ranFor(record, now)).filter((left) => left > 0);
    const verdicts = records.map(readiness);
    const failures = verdicts.flatMap((v) => (v.kind === 'failed' ? [v.failure] : []));
    if (failures.length > 0) return failures;
    if (!verdicts.every((v) => v.kind === 'ok')) return undefined;
    if (unsettled.length === 0) return [];
    // Look again when the youngest has run long enough; an exit before then wakes the wait anyway.
    cancelRecheck = options.clock?.after(Math.max(...unsettled), () => store.changed());
    return undefined;
  };
  const onTimeout = (): Failure[] =>
    records.filter((record) => readiness(record).kind === 'pending').map((record) => ({
      service: record.service,
      code: 'SUPERVISOR_TIMEOUT',
      reason: `${record.key} was not ready after ${formatDuration(options.timeoutMs)} (${record.status}${record.health ? `, ${record.health}` : ''})`,
      instance: record.id,
    }));
  const waiting = store.waitFor(check, { timeoutMs: options.timeoutMs, onTimeout, ...(options.signal ? { signal: options.signal } : {}) });
  return waiting.finally(() => cancelRecheck?.());
}

/** How long a running replica without a healthcheck has run (a replica judged otherwise counts as settled). */
function ranFor(record: ReplicaRecord, now: number): number {
  if (record.status !== 'running' || hasHealthcheck(record.spec.service)) return Infinity;
  return now - (record.runStartedAt ?? now);
}
