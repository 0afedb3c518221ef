import { isLiveState, listProcStats, readProcStat } from './proc-stat.js';

/**
 * Process groups: every replica (and every exec) is spawned detached, so it leads its own group and the group id is
 * its pid. Signals go to the whole group (`kill(-pgid)`), which reaches children and grandchildren that did not
 * start a group of their own.
 */

/** Sends `signal` to every process of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Pids of the live (not zombie) processes of the group. */
export function groupMembers(pgid: number): number[] {
  return listProcStats().filter((s) => s.pgrp === pgid && isLiveState(s.state)).map((s) => s.pid);
}

/**
 * Whether the process recorded as `pid` with start time `startTicks` still runs. A different start time means
 * the pid was reused by another process, so ours is gone.
 */
export function isProcessAlive(pid: number, startTicks?: number): boolean {
  const stat = readProcStat(pid);
  if (!stat || !isLiveState(stat.state)) return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

/**
 * Whether the group of a replica still has live members. When its leader is gone and its pid now belongs to
 * another process (pid reuse), the group id could have been reused too, so the group is not ours any more.
 */
export function replicaGroupAlive(pgid: number, leaderStartTicks?: number): boolean {
  const leader = readProcStat(pgid);
  if (leader && leaderStartTicks !== undefined && leader.startTicks !== leaderStartTicks) return false;
  return groupMembers(pgid).length > 0;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Poll interval; /proc has no change notification. */
  readonly intervalMs?: number;
}

/** Polls `condition` until it is true (→ true) or the deadline passes or `signal` aborts (→ false). */
export async function waitFor(condition: () => boolean, options: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 20;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline || options.signal?.aborted) return false;
    await delay(Math.min(interval, Math.max(1, deadline - Date.now())), options.signal);
  }
}

/** Resolves after `ms` or as soon as `signal` aborts; never rejects. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
