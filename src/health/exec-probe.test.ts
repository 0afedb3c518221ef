import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { instanceId, type InstanceId } from '../model/ids.js';
import type { ExecCommand, ExecOptions, ExecResult, Runtime } from '../runtime/runtime.js';
import { execProbe } from './exec-probe.js';
import { waitFor } from './test-helpers.js';

/**
 * The `exec` part of a runtime, for real: runs the command as a local process group, kills the group at the
 * timeout. Replica `web-1` exists; any other id is refused as a runtime would.
 */
class LocalExec implements Pick<Runtime, 'exec'> {
  readonly calls: { id: InstanceId; command: ExecCommand; timeoutMs: number }[] = [];
  readonly running = new Set<number>();

  exec(id: InstanceId, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
    this.calls.push({ id, command, timeoutMs: options.timeoutMs });
    if (id !== 'web-1') return Promise.reject(new Error(`no replica ${id}`));
    const argv = command.kind === 'exec' ? command.argv : ['/bin/sh', '-c', command.command];
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid as number;
    this.running.add(pid);
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const kill = (): void => void process.kill(-pid, 'SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    return new Promise((resolve) => {
      child.on('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', kill);
        this.running.delete(pid);
        resolve({ exitCode: code, output, timedOut });
      });
    });
  }
}

let runtime: LocalExec;
afterEach(async () => {
  await waitFor(() => runtime.running.size === 0, 'every healthcheck process to exit');
});

const web1 = instanceId('web-1');
const signal = () => new AbortController().signal;

describe('execProbe', () => {
  it('passes when a CMD test exits 0, running it through runtime.exec with the timeout', async () => {
    runtime = new LocalExec();
    const probe = execProbe({ runtime, instance: web1, test: { kind: 'exec', argv: ['true'] }, timeoutMs: 5_000 });
    expect(await probe.check(signal())).toEqual({ ok: true, ms: expect.any(Number) });
    expect(runtime.calls).toEqual([{ id: web1, command: { kind: 'exec', argv: ['true'] }, timeoutMs: 5_000 }]);
  });

  it('fails on a non-zero exit with the exit code and the last line of output', async () => {
    runtime = new LocalExec();
    const test = { kind: 'shell', command: 'echo starting; echo "not ready yet" >&2; echo; exit 3' } as const;
    const result = await execProbe({ runtime, instance: web1, test, timeoutMs: 5_000 }).check(signal());
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'exit code 3: not ready yet' });
  });

  it('fails with the exit code alone when the test prints nothing', async () => {
    runtime = new LocalExec();
    const result = await execProbe({ runtime, instance: web1, test: { kind: 'exec', argv: ['false'] }, timeoutMs: 5_000 }).check(signal());
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'exit code 1' });
  });

  it('fails when the test is killed by a signal, with its last line', async () => {
    runtime = new LocalExec();
    const test = { kind: 'shell', command: 'echo bye; kill -KILL $$' } as const;
    const result = await execProbe({ runtime, instance: web1, test, timeoutMs: 5_000 }).check(signal());
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'killed by a signal: bye' });
  });

  it('fails with "timed out after …" when the runtime kills a test that runs too long', async () => {
    runtime = new LocalExec();
    const test = { kind: 'shell', command: 'sleep 30' } as const;
    const result = await execProbe({ runtime, instance: web1, test, timeoutMs: 150 }).check(signal());
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'timed out after 150ms' });
  });

  it('fails with the runtime error when the command cannot run', async () => {
    runtime = new LocalExec();
    const probe = execProbe({ runtime, instance: instanceId('gone-1'), test: { kind: 'exec', argv: ['true'] }, timeoutMs: 5_000 });
    expect(await probe.check(signal())).toEqual({ ok: false, ms: expect.any(Number), reason: 'cannot run the healthcheck: no replica gone-1' });
  });

  it('fails with the abort reason when aborted while the test runs', async () => {
    runtime = new LocalExec();
    const controller = new AbortController();
    const check = execProbe({ runtime, instance: web1, test: { kind: 'shell', command: 'sleep 30' }, timeoutMs: 30_000 }).check(controller.signal);
    await waitFor(() => runtime.running.size === 1, 'the test to start');
    controller.abort(new Error('the health monitor was closed'));
    expect(await check).toEqual({ ok: false, ms: expect.any(Number), reason: 'the health monitor was closed' });
  });
});
