import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { ExecCommand, ExecOptions, ExecResult } from '../runtime.js';

/** Combined output kept from an exec command (Docker keeps 4 KiB of healthcheck output too). */
export const EXEC_OUTPUT_LIMIT = 4096;
/** How long to wait for the Engine to record the exit code after the output ends. */
const SETTLE_MS = 2000;

/**
 * Runs a command in a running container through the Engine exec API, with the container's environment (plus
 * `options.env`), user and working folder. A `shell` command runs as `/bin/sh -c`, so the image needs a shell.
 * At the timeout the result is `timedOut` and the command is killed when the daemon is on this host (its pid is
 * checked to be in the container's cgroup first); with a remote daemon it is left to finish, as Docker has no API
 * to kill an exec.
 */
export async function execInContainer(container: Docker.Container, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
  const argv = command.kind === 'exec' ? [...command.argv] : ['/bin/sh', '-c', command.command];
  const exec = await container.exec({
    Cmd: argv, AttachStdout: true, AttachStderr: true,
    Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
  });
  const output = new OutputCollector();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  const onAbort = (): void => abort.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const stream = await exec.start({ hijack: true, stdin: false, abortSignal: abort.signal });
    const writable = output.writable();
    container.modem.demuxStream(stream, writable, writable);
    const ended = await new Promise<boolean>((resolve, reject) => {
      stream.on('end', () => resolve(true));
      stream.on('close', () => resolve(true));
      stream.on('error', (error) => (abort.signal.aborted ? resolve(false) : reject(error)));
      abort.signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    if (!ended || abort.signal.aborted) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      await killExec(exec, container.id);
      return { exitCode: null, output: output.text(), timedOut: true };
    }
    return { exitCode: await exitCodeOf(exec), output: output.text(), timedOut: false };
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    await killExec(exec, container.id);
    return { exitCode: null, output: output.text(), timedOut: true };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The exec's exit code, polling briefly: the Engine may close the stream a moment before recording it. */
async function exitCodeOf(exec: Docker.Exec): Promise<number | null> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kills a timed-out exec by its host pid, only if that pid is visibly inside this container's cgroup here. */
async function killExec(exec: Docker.Exec, containerId: string): Promise<void> {
  const info = await exec.inspect().catch(() => undefined);
  const pid = info?.Running ? info.Pid : 0;
  if (!pid) return;
  try {
    if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId)) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // Not on this host, or already gone: nothing to kill.
  }
}

/** Keeps the first EXEC_OUTPUT_LIMIT bytes of stdout and stderr as they arrive. */
class OutputCollector {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const room = EXEC_OUTPUT_LIMIT - this.size;
        if (chunk.length > room) this.truncated = true;
        if (room > 0) {
          const kept = chunk.subarray(0, room);
          this.chunks.push(kept);
          this.size += kept.length;
        }
        done();
      },
    });
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${text}\n… (output truncated at ${EXEC_OUTPUT_LIMIT} bytes)` : text;
  }
}
