import type { ErrorCode } from '../errors.js';
import type { InstanceId } from '../model/ids.js';
import type { Service } from '../model/stack.js';
import type { DependencyGate } from '../plan/plan.js';
import type { ReplicaRecord } from './replica-record.js';
import { assertNever } from './replica-status.js';
import { describeExit } from './restart-policy.js';

/** Why something could not be waited for, blamed on the replica at fault (`service`), with its instance for logs. */
export interface Failure {
  readonly service: string;
  readonly code: ErrorCode;
  readonly reason: string;
  /** What to do about it, when the error that caused it said so. */
  readonly hint?: string;
  readonly instance?: InstanceId;
}

export type Verdict = { readonly kind: 'ok' } | { readonly kind: 'pending' } | { readonly kind: 'failed'; readonly failure: Failure };

const OK: Verdict = { kind: 'ok' };
const PENDING: Verdict = { kind: 'pending' };

/** What a gate needs to know about its dependency. */
export interface DependencyState {
  /** The dependency is a service of the stack (not disabled by a profile). */
  readonly inStack: boolean;
  /** Replicas the dependency should have; 0 means there is nothing to wait for (compose skips it). */
  readonly desired: number;
  readonly records: readonly ReplicaRecord[];
}

/**
 * One depends_on condition against the dependency's replicas, as compose v2 waits (every replica must pass):
 * - `service_started`: each replica has been started (a crash afterwards does not matter);
 * - `service_healthy`: each replica runs and is healthy; fails at once when the dependency has no healthcheck
 *   (compose: "has no healthcheck configured"), when it turns unhealthy (after its retries) or exits for good;
 * - `service_completed_successfully`: each replica exited with code 0; a non-zero exit with no restart to come
 *   fails (compose: "didn't complete successfully").
 * A replica the user stopped fails every condition. `required: false` is the caller's business (a warning).
 */
export function evaluateGate(gate: DependencyGate, dependency: DependencyState): Verdict {
  if (!dependency.inStack) {
    return failed({ service: gate.service, code: 'SUPERVISOR_DEPENDENCY', reason: `${gate.service} is not a service of the stack (disabled by a profile?)` });
  }
  if (dependency.desired === 0) return OK;
  if (dependency.records.length === 0) return failed({ service: gate.service, code: 'SUPERVISOR_DEPENDENCY', reason: `${gate.service} has no replicas` });
  return combine(dependency.records.map((record) => evaluateReplica(gate, record, dependency.desired > 1)));
}

function evaluateReplica(gate: DependencyGate, record: ReplicaRecord, replicated: boolean): Verdict {
  const name = replicated ? record.key : record.service;
  if (record.status === 'stopped' && record.stoppedByUser) {
    return failed({ service: record.service, code: 'SUPERVISOR_DEPENDENCY', reason: `${name} was stopped by the user`, instance: record.id });
  }
  switch (gate.condition) {
    case 'service_started':
      return started(record, name);
    case 'service_healthy':
      return healthy(record, name);
    case 'service_completed_successfully':
      return completed(record, name);
    default:
      return assertNever(gate.condition);
  }
}

function started(record: ReplicaRecord, name: string): Verdict {
  if (record.everStarted) return OK;
  if (record.status === 'failed') return failed(blame(record, 'SUPERVISOR_START_FAILED', `${name} failed to start${detail(record)}`));
  return PENDING;
}

function healthy(record: ReplicaRecord, name: string): Verdict {
  if (!hasHealthcheck(record.spec.service)) {
    return failed(blame(record, 'SUPERVISOR_DEPENDENCY', `${name} has no healthcheck, so it can never be healthy`));
  }
  switch (record.status) {
    case 'running':
      if (record.health === 'healthy') return OK;
      if (record.health === 'unhealthy') return failed(blame(record, 'SUPERVISOR_UNHEALTHY', `${name} is unhealthy${because(record.healthReason)}`));
      return PENDING;
    case 'exited':
      return failed(blame(record, 'SUPERVISOR_EXITED', `${name} ${describeExit(record.lastExit)} before it became healthy`));
    case 'failed':
      return failed(blame(record, record.everStarted ? 'SUPERVISOR_EXITED' : 'SUPERVISOR_START_FAILED', `${name} failed${detail(record)}`));
    case 'stopped':
      return failed(blame(record, 'SUPERVISOR_EXITED', `${name} was stopped before it became healthy`));
    case 'created':
    case 'waiting':
    case 'starting':
    case 'restarting':
    case 'stopping':
      return PENDING;
    default:
      return assertNever(record.status);
  }
}

function completed(record: ReplicaRecord, name: string): Verdict {
  const exit = record.lastExit;
  switch (record.status) {
    case 'exited':
      return exit?.code === 0 ? OK : failed(blame(record, 'SUPERVISOR_JOB_FAILED', `${name} ${describeExit(exit)}`));
    case 'restarting':
      return exit?.code === 0 ? OK : PENDING;
    case 'failed':
      if (!record.everStarted) return failed(blame(record, 'SUPERVISOR_START_FAILED', `${name} failed to start${detail(record)}`));
      return failed(blame(record, 'SUPERVISOR_JOB_FAILED', `${name} ${describeExit(exit)}${detail(record)}`));
    case 'stopped':
      return failed(blame(record, 'SUPERVISOR_JOB_FAILED', `${name} was stopped before it completed`));
    case 'created':
    case 'waiting':
    case 'starting':
    case 'running':
    case 'stopping':
      return PENDING;
    default:
      return assertNever(record.status);
  }
}

/**
 * Whether one replica is ready for `up --wait`: running (and healthy, if it has a healthcheck) or completed with
 * exit 0. Fails on unhealthy, a non-zero exit with no restart to come, giving up, or a crash loop.
 */
export function readiness(record: ReplicaRecord): Verdict {
  const name = record.key;
  switch (record.status) {
    case 'running':
      if (!hasHealthcheck(record.spec.service) || record.health === 'healthy') return OK;
      if (record.health === 'unhealthy') return failed(blame(record, 'SUPERVISOR_UNHEALTHY', `${name} is unhealthy${because(record.healthReason)}`));
      return PENDING;
    case 'exited':
      return record.lastExit?.code === 0 ? OK : failed(blame(record, 'SUPERVISOR_EXITED', `${name} ${describeExit(record.lastExit)}`));
    case 'restarting':
      return record.detail?.startsWith('crash loop') ? failed(blame(record, 'SUPERVISOR_EXITED', `${name} keeps crashing (${record.detail})`)) : PENDING;
    case 'failed':
      return failed(blame(record, record.everStarted ? 'SUPERVISOR_EXITED' : 'SUPERVISOR_START_FAILED', `${name} failed${detail(record)}`));
    case 'stopped':
      return failed(blame(record, 'SUPERVISOR_EXITED', `${name} was stopped`));
    case 'created':
    case 'waiting':
    case 'starting':
    case 'stopping':
      return PENDING;
    default:
      return assertNever(record.status);
  }
}

/** All ok → ok; the first failure → failed; otherwise pending. */
export function combine(verdicts: readonly Verdict[]): Verdict {
  const failure = verdicts.find((v) => v.kind === 'failed');
  if (failure) return failure;
  return verdicts.every((v) => v.kind === 'ok') ? OK : PENDING;
}

/** A replica has a health probe when the service has a compose healthcheck or an x-berth health check. */
export function hasHealthcheck(service: Service): boolean {
  return service.healthcheck !== undefined || service.berth.health !== undefined;
}

function failed(failure: Failure): Verdict {
  return { kind: 'failed', failure };
}

function blame(record: ReplicaRecord, code: ErrorCode, reason: string): Failure {
  return { service: record.service, code, reason, instance: record.id };
}

function detail(record: ReplicaRecord): string {
  return record.detail ? ` (${record.detail})` : '';
}

function because(reason: string | undefined): string {
  return reason ? `: ${reason}` : '';
}
