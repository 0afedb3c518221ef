import { spawn } from 'node:child_process';
import type { ExecCommand, ExecResult } from '../../runtime.js';
import { assertNever } from '../assert-never.js';
import type { SpawnUser } from '../launch/launch-plan.js';
import { signalGroup } from './process-group.js';

/** Output kept from an exec: the first part, then a marker. */
export const EXEC_OUTPUT_LIMIT = 8 * 1024;
/** After the command exits (or is killed), output held open by its leftovers is cut after this. */
const CLOSE_GRACE_MS = 1000;

export interface ExecProcessOptions {
  readonly command: ExecCommand;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly user?: SpawnUser;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs a command to completion in its own process group (argv as is, or text through `/bin/sh -c`), with stdout
 * and stderr combined and truncated. At the timeout (or abort) the whole group is killed and `timedOut` is set;
 * a command that cannot be started reports exit code 127 (not found) or 126 (not executable), as a shell would.
 */
export function execProcess(options: ExecProcessOptions): Promise<ExecResult> {
  const argv = commandArgv(options.command);
  return new Promise((resolve) => {
    const output = new TruncatedOutput(EXEC_OUTPUT_LIMIT);
    const child = spawn(argv[0] ?? '', argv.slice(1), {
      cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    let timedOut = false;
    let exitCode: number | null = null;
    let settled = false;
    const finish = (result: ExecResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve(result);
    };
    const kill = (): void => {
      timedOut = true;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    };
    const timer = setTimeout(kill, options.timeoutMs);
    if (options.signal?.aborted) kill();
    options.signal?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.add(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      output.add(Buffer.from(`exec ${argv[0] ?? ''}: ${error.code === 'ENOENT' ? 'not found' : error.message}\n`));
      finish({ exitCode: error.code === 'ENOENT' ? 127 : 126, output: output.text(), timedOut: false });
    });
    child.once('exit', (code) => {
      exitCode = timedOut ? null : code;
      // Leftover background members would hold the pipes open: they die with the command, as in a container exec.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, CLOSE_GRACE_MS).unref();
    });
    child.once('close', () => finish({ exitCode, output: output.text(), timedOut }));
  });
}

function commandArgv(command: ExecCommand): readonly string[] {
  switch (command.kind) {
    case 'exec':
      return command.argv;
    case 'shell':
      return ['/bin/sh', '-c', command.command];
    default:
      return assertNever(command);
  }
}

class TruncatedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    if (this.size >= this.limit) {
      this.truncated = true;
      return;
    }
    const part = chunk.subarray(0, this.limit - this.size);
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${text}\n… (output truncated)` : text;
  }
}
