import { formatDuration } from '../spec/duration.js';
import { type Failure, readiness } from './dependency-gates.js';
import type { ReplicaRecord } from './replica-record.js';
import type { ReplicaStore } from './replica-store.js';

export interface WaitReadyOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * `up --wait`: resolves once every replica is ready (running, healthy when it has a healthcheck, or completed with
 * exit 0), or as soon as one fails, with the failures (empty = all ready). Replicas still pending at the deadline
 * fail with SUPERVISOR_TIMEOUT. Rejects with SUPERVISOR_ABORTED when cancelled.
 */
export function waitReady(records: readonly ReplicaRecord[], store: ReplicaStore, options: WaitReadyOptions): Promise<Failure[]> {
  const check = (): Failure[] | undefined => {
    const verdicts = records.map(readiness);
    const failures = verdicts.flatMap((v) => (v.kind === 'failed' ? [v.failure] : []));
    if (failures.length > 0) return failures;
    return verdicts.every((v) => v.kind === 'ok') ? [] : undefined;
  };
  const onTimeout = (): Failure[] =>
    records.filter((record) => readiness(record).kind === 'pending').map((record) => ({
      service: record.service,
      code: 'SUPERVISOR_TIMEOUT',
      reason: `${record.key} was not ready after ${formatDuration(options.timeoutMs)} (${record.status}${record.health ? `, ${record.health}` : ''})`,
      instance: record.id,
    }));
  return store.waitFor(check, { timeoutMs: options.timeoutMs, onTimeout, ...(options.signal ? { signal: options.signal } : {}) });
}
