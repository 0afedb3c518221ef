import type { ExitInfo } from '../../runtime.js';

/**
 * A replica's process as the runtime holds it: either a child berth spawned (exit reported by the kernel) or a
 * process recorded by an earlier berth (exit noticed by polling /proc). Stopping works the same on both.
 */
export interface ReplicaHandle {
  readonly pid: number;
  readonly pgid: number;
  readonly startTicks?: number;
  /**
   * Resolves once, when the group leader is gone. Unless a stop is under way, the group's remaining members are
   * then killed, as a container's processes die with its PID 1.
   */
  readonly exited: Promise<ExitInfo>;
  /** Whether all output has been read (always true for a process berth did not spawn). */
  outputClosed(): boolean;
  /**
   * A stop is under way: members left after the leader exits get the rest of the grace period (the stopper
   * kills them after it), and an adopted process is polled fast.
   */
  stopping(): void;
  /** Stop keeping berth's event loop alive for this process; it keeps running. */
  detach(): void;
}
