import type { Logger } from '../../../log/logger.js';
import type { ExitInfo } from '../../runtime.js';
import { delay, replicaGroupAlive, signalGroup, waitFor } from './process-group.js';
import type { ReplicaHandle } from './replica-handle.js';

/** How long the kill itself may take (a process in uninterruptible sleep) before berth reports and moves on. */
const KILL_DEADLINE_MS = 10_000;

export interface StopHow {
  readonly signal: NodeJS.Signals;
  readonly graceMs: number;
}

/**
 * Stops a replica: `how.signal` to its whole process group; within `graceMs` the leader and every other member
 * may finish; then SIGKILL to whatever is left of the group. Resolves with the leader's exit once no member is
 * left (or the kill deadline passed, which is logged). An unknown signal name falls back to SIGTERM.
 */
export async function stopReplica(handle: ReplicaHandle, how: StopHow, log: Logger): Promise<ExitInfo> {
  handle.stopping();
  const deadline = Date.now() + how.graceMs;
  const groupGone = (): boolean => !replicaGroupAlive(handle.pgid, handle.startTicks);
  sendSignal(handle.pgid, how.signal, log);
  let exit = await within(handle.exited, how.graceMs);
  if (exit) await waitFor(groupGone, { timeoutMs: Math.max(0, deadline - Date.now()) });
  if (!exit || !groupGone()) {
    signalGroup(handle.pgid, 'SIGKILL');
    exit ??= await within(handle.exited, KILL_DEADLINE_MS);
  }
  const gone = await waitFor(() => groupGone() || !signalGroup(handle.pgid, 'SIGKILL'), { timeoutMs: KILL_DEADLINE_MS });
  if (!exit || !gone) log.warn('a replica\'s processes did not go away after SIGKILL', { pid: handle.pid, pgid: handle.pgid });
  return exit ?? { code: null, signal: 'SIGKILL', at: Date.now() };
}

function sendSignal(pgid: number, signal: NodeJS.Signals, log: Logger): void {
  try {
    signalGroup(pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_SIGNAL') throw error;
    log.warn('unknown stop signal; sending SIGTERM', { signal });
    signalGroup(pgid, 'SIGTERM');
  }
}

/** The promise's value if it settles within `ms`, else undefined. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const timeout = new AbortController();
  const result = await Promise.race([promise, delay(ms, timeout.signal).then(() => undefined)]);
  timeout.abort();
  return result;
}
