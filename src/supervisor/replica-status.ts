import { BerthError } from '../errors.js';

/**
 * Where one supervised replica is in its life, as `berth ps` shows it. Health (starting/healthy/unhealthy) is a
 * separate field of a running replica, not a status.
 * - `created`: exists in the runtime, never started (or kept stopped, see `stopped`);
 * - `waiting`: its start waits for dependency gates (`db healthy`, `migrate completed`);
 * - `starting`: the runtime is starting it;
 * - `running`: the runtime says it runs;
 * - `restarting`: it exited and its restart policy will start it again after a backoff delay;
 * - `exited`: it exited and stays down (policy `no`, or `on-failure` after exit 0);
 * - `failed`: it could not be started, or `on-failure:N` gave up after N restarts;
 * - `stopping`: berth is stopping it (user `stop`, `down`, scale down, recreate);
 * - `stopped`: stopped by the user or by berth; no policy restarts it until `start`/`up`.
 */
export type ReplicaStatus = 'created' | 'waiting' | 'starting' | 'running' | 'restarting' | 'exited' | 'failed' | 'stopping' | 'stopped';

export const REPLICA_STATUSES: readonly ReplicaStatus[] = [
  'created', 'waiting', 'starting', 'running', 'restarting', 'exited', 'failed', 'stopping', 'stopped',
];

/** The allowed moves. Anything else is a bug in the supervisor and raises SUPERVISOR_STATE. */
export const REPLICA_TRANSITIONS: Readonly<Record<ReplicaStatus, readonly ReplicaStatus[]>> = {
  created: ['waiting', 'starting', 'stopping', 'stopped', 'failed'],
  waiting: ['starting', 'created', 'stopping', 'stopped', 'failed'],
  // `exited`/`restarting`/`failed` straight from `starting`: it died before the runtime finished starting it.
  starting: ['running', 'exited', 'restarting', 'failed', 'stopping'],
  running: ['exited', 'restarting', 'failed', 'stopping'],
  restarting: ['starting', 'stopping', 'stopped', 'failed'],
  exited: ['waiting', 'starting', 'stopping', 'stopped'],
  failed: ['waiting', 'starting', 'stopping', 'stopped'],
  stopping: ['stopped', 'exited', 'failed'],
  stopped: ['waiting', 'starting', 'stopping', 'stopped'],
};

export function canTransition(from: ReplicaStatus, to: ReplicaStatus): boolean {
  return REPLICA_TRANSITIONS[from].includes(to);
}

/** Throws SUPERVISOR_STATE when `from → to` is not in the table. */
export function assertTransition(from: ReplicaStatus, to: ReplicaStatus, replica: string): void {
  if (!canTransition(from, to)) {
    throw new BerthError('SUPERVISOR_STATE', `replica ${replica} cannot go from ${from} to ${to}`, {
      hint: 'this is a bug in berth; please report it with the output of `berth ps`',
    });
  }
}

/** True for the statuses in which the replica's process may be alive. */
export function isLive(status: ReplicaStatus): boolean {
  switch (status) {
    case 'starting':
    case 'running':
    case 'stopping':
      return true;
    case 'created':
    case 'waiting':
    case 'restarting':
    case 'exited':
    case 'failed':
    case 'stopped':
      return false;
    default:
      return assertNever(status);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
