import { spawn } from 'node:child_process';
import { BerthError } from '../../../errors.js';
import { LineSplitter } from '../logs/line-splitter.js';
import type { SpawnUser } from '../launch/launch-plan.js';
import { signalGroup } from './process-group.js';

export interface RunToolOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly user?: SpawnUser;
  /** Written to the tool's stdin, which is then closed. */
  readonly input?: string;
  /** Each output line, as it comes. */
  readonly onLine: (stream: 'o' | 'e', line: string) => void;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** What the tool does, for the error message (`initdb`). */
  readonly what: string;
}

/**
 * Runs a helper program to completion (initdb, `postgres --single`) in its own process group, streaming its
 * output line by line. Rejects with RUNTIME_START_FAILED, quoting the last lines of output, when it cannot be
 * started, exits non-zero, times out or is aborted (its group is killed).
 */
export function runTool(options: RunToolOptions): Promise<void> {
  const [program, ...args] = options.argv;
  const tail: string[] = [];
  const onLine = (stream: 'o' | 'e', line: string): void => {
    tail.push(line);
    if (tail.length > 8) tail.shift();
    options.onLine(stream, line);
  };
  return new Promise((resolve, reject) => {
    const child = spawn(program ?? '', args, {
      cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    let failure: string | undefined;
    const kill = (why: string): void => {
      failure = why;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    };
    const timer = setTimeout(() => kill(`timed out after ${options.timeoutMs} ms`), options.timeoutMs);
    const onAbort = (): void => kill('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    pump(child.stdout, 'o', onLine);
    pump(child.stderr, 'e', onLine);
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    child.once('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(new BerthError('RUNTIME_START_FAILED', `${options.what} could not be started: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (code === 0 && failure === undefined) {
        resolve();
        return;
      }
      const why = failure ?? (signal ? `was killed by ${signal}` : `exited with code ${code}`);
      reject(new BerthError('RUNTIME_START_FAILED', `${options.what} failed: ${why}${tail.length > 0 ? `\n    ${tail.join('\n    ')}` : ''}`, {
        hint: 'the lines above are the end of its output; the full output is in the replica\'s log',
      }));
    });
  });
}

function pump(stream: NodeJS.ReadableStream, kind: 'o' | 'e', onLine: (stream: 'o' | 'e', line: string) => void): void {
  const splitter = new LineSplitter();
  stream.on('data', (chunk: Buffer) => splitter.push(chunk).forEach((line) => onLine(kind, line)));
  stream.on('end', () => {
    const rest = splitter.flush();
    if (rest !== undefined) onLine(kind, rest);
  });
}
