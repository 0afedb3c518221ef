import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { BerthError } from '../../../errors.js';
import type { ExitInfo } from '../../runtime.js';
import type { LaunchPlan } from '../launch/launch-plan.js';
import { LineSplitter } from '../logs/line-splitter.js';
import type { LogRecord } from '../logs/log-record.js';
import { readProcStat } from './proc-stat.js';
import { signalGroup } from './process-group.js';
import type { ReplicaHandle } from './replica-handle.js';

export interface ChildReplicaOptions {
  readonly plan: LaunchPlan;
  /** Receives output lines (a chunk's lines at once). */
  readonly onOutput: (records: LogRecord[]) => void;
  /** Called once all output has been read. */
  readonly onOutputClosed?: () => void;
}

/** After the leader exits, output still open (a member that escaped the group holds it) is cut after this. */
const OUTPUT_GRACE_MS = 2000;

/**
 * A replica berth spawned: detached (its own process group), stdout and stderr piped and split into lines.
 * When the leader exits on its own, the rest of its group is killed, as a container's processes die with its PID 1.
 */
export class ChildReplica implements ReplicaHandle {
  readonly pid: number;
  readonly pgid: number;
  readonly startTicks?: number;
  readonly exited: Promise<ExitInfo>;
  private openStreams = 2;
  private stopRequested = false;

  private constructor(private readonly child: ChildProcess, private readonly options: ChildReplicaOptions) {
    this.pid = child.pid as number;
    this.pgid = this.pid;
    const stat = readProcStat(this.pid);
    if (stat) this.startTicks = stat.startTicks;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.stopRequested) signalGroup(this.pgid, 'SIGKILL');
        setTimeout(() => this.cutOutput(), OUTPUT_GRACE_MS).unref();
        resolve({ code, signal, at: Date.now() });
      });
    });
    this.pump('stdout', 'o');
    this.pump('stderr', 'e');
  }

  /** Spawns the plan's command; resolves once the process runs, RUNTIME_START_FAILED when it cannot start. */
  static spawn(options: ChildReplicaOptions): Promise<ChildReplica> {
    const { plan } = options;
    const [program, ...args] = plan.argv;
    if (!isDirectory(plan.cwd)) {
      return Promise.reject(new BerthError('RUNTIME_START_FAILED', `cannot start \`${program}\`: the working folder ${plan.cwd} does not exist`, {
        hint: 'set `x-berth.process.cwd` or `working_dir` to an existing folder',
      }));
    }
    return new Promise((resolve, reject) => {
      const child = spawn(program ?? '', args, {
        cwd: plan.cwd, env: plan.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
      });
      child.once('error', (error: NodeJS.ErrnoException) => reject(spawnError(program ?? '', plan, error)));
      child.once('spawn', () => resolve(new ChildReplica(child, options)));
    });
  }

  outputClosed(): boolean {
    return this.openStreams === 0;
  }

  stopping(): void {
    this.stopRequested = true;
  }

  detach(): void {
    this.child.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
  }

  private pump(name: 'stdout' | 'stderr', kind: LogRecord['s']): void {
    const stream = this.child[name];
    if (!stream) {
      this.streamClosed();
      return;
    }
    const splitter = new LineSplitter();
    stream.on('data', (chunk: Buffer) => {
      const now = Date.now();
      const lines = splitter.push(chunk);
      if (lines.length > 0) this.options.onOutput(lines.map((m) => ({ t: now, s: kind, m })));
    });
    stream.on('error', () => undefined);
    stream.once('close', () => {
      const rest = splitter.flush();
      if (rest !== undefined) this.options.onOutput([{ t: Date.now(), s: kind, m: rest }]);
      this.streamClosed();
    });
  }

  private streamClosed(): void {
    this.openStreams -= 1;
    if (this.openStreams === 0) this.options.onOutputClosed?.();
  }

  private cutOutput(): void {
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }
}

function spawnError(program: string, plan: LaunchPlan, error: NodeJS.ErrnoException): BerthError {
  const why = error.code === 'ENOENT' ? 'it was not found' : error.code === 'EACCES' ? 'it is not executable' : error.message;
  return new BerthError('RUNTIME_START_FAILED', `cannot start \`${program}\` (${plan.how}): ${why}`, {
    hint: error.code === 'ENOENT' ? `install it or put it on PATH (${plan.env.PATH ?? ''}), or give its full path` : 'check the command and its permissions',
    cause: error,
  });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
