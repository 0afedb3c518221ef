import type { ExitInfo } from '../../runtime.js';
import { isProcessAlive, replicaGroupAlive, signalGroup } from './process-group.js';
import type { ReplicaHandle } from './replica-handle.js';

const SLOW_POLL_MS = 500;
const FAST_POLL_MS = 20;

/**
 * A replica recorded by an earlier berth that still runs: not our child, so its exit is noticed by polling
 * /proc (pid and start time), and its exit status is unknown (`code: null, signal: null`).
 */
export class AdoptedReplica implements ReplicaHandle {
  readonly pgid: number;
  readonly exited: Promise<ExitInfo>;
  private timer: NodeJS.Timeout | undefined;
  private fast = false;
  private detached = false;
  private resolve: (exit: ExitInfo) => void = () => undefined;

  constructor(readonly pid: number, readonly startTicks: number | undefined) {
    this.pgid = pid;
    this.exited = new Promise((resolve) => {
      this.resolve = resolve;
    });
    this.poll();
  }

  outputClosed(): boolean {
    return true;
  }

  stopping(): void {
    if (this.fast) return;
    this.fast = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.poll();
    }
  }

  detach(): void {
    this.detached = true;
    this.timer?.unref();
  }

  private poll(): void {
    this.timer = undefined;
    if (!isProcessAlive(this.pid, this.startTicks)) {
      if (!this.fast && replicaGroupAlive(this.pgid, this.startTicks)) signalGroup(this.pgid, 'SIGKILL');
      this.resolve({ code: null, signal: null, at: Date.now() });
      return;
    }
    this.timer = setTimeout(() => this.poll(), this.fast ? FAST_POLL_MS : SLOW_POLL_MS);
    if (this.detached || !this.fast) this.timer.unref();
  }
}
