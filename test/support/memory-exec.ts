import { spawn } from 'node:child_process';
import type { ExecCommand, ExecOptions, ExecResult, InstanceSpec } from '../../src/runtime/runtime.js';

const MAX_OUTPUT = 4096;

/**
 * Runs an exec command on the host in the replica's context: its service environment, berth's variables and the
 * caller's extras, in its working folder. The memory runtime's replicas have no processes, but their exec commands
 * (healthchecks, `berth exec`) can still run for real, as the Runtime contract asks.
 */
export function hostExec(spec: InstanceSpec, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
  const serviceEnv = Object.fromEntries(Object.entries(spec.service.environment).filter((e): e is [string, string] => e[1] !== null));
  const env = { ...process.env, ...serviceEnv, ...spec.env, ...options.env };
  const cwd = spec.service.berth.process?.cwd ?? spec.service.workingDir ?? spec.projectDir;
  const [file, ...args] = command.kind === 'exec' ? command.argv : ['/bin/sh', '-c', command.command];
  return new Promise<ExecResult>((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(file ?? 'true', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk: Buffer): void => {
      if (output.length < MAX_OUTPUT) output = (output + chunk.toString()).slice(0, MAX_OUTPUT);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const kill = (): void => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => append(Buffer.from(error.message)));
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ exitCode: timedOut ? null : code, output, timedOut });
    });
  });
}
