import type { InstanceId } from '../model/ids.js';
import type { HealthcheckTest } from '../model/stack.js';
import type { Runtime } from '../runtime/runtime.js';
import { formatDuration } from '../spec/duration.js';
import { abortMessage, failed, lastLine, passed, type Probe, type ProbeResult, stopwatch } from './probe.js';

export interface ExecProbeOptions {
  /** Only `exec` is used. */
  readonly runtime: Pick<Runtime, 'exec'>;
  readonly instance: InstanceId;
  /** The compose test: `CMD` (exec form) or `CMD-SHELL` / a string (through a shell). */
  readonly test: HealthcheckTest;
  /** Passed to the runtime, which kills the command when it runs longer. */
  readonly timeoutMs: number;
}

/**
 * Runs a compose healthcheck test in the replica's context through `runtime.exec`: healthy on exit status 0;
 * otherwise the reason has the status and the last line of output (`exit code 2: no response`), or
 * `timed out after 5s`. The test is passed as written: adapting it to the replica (ports, tools) is the runtime's job.
 */
export function execProbe(options: ExecProbeOptions): Probe {
  return { check: (signal) => checkExec(options, signal) };
}

async function checkExec(options: ExecProbeOptions, signal: AbortSignal): Promise<ProbeResult> {
  const elapsed = stopwatch();
  if (signal.aborted) return failed(elapsed(), abortMessage(signal));
  try {
    const result = await options.runtime.exec(options.instance, options.test, { timeoutMs: options.timeoutMs, signal });
    if (signal.aborted) return failed(elapsed(), abortMessage(signal));
    if (result.timedOut) return failed(elapsed(), `timed out after ${formatDuration(options.timeoutMs)}`);
    if (result.exitCode === 0) return passed(elapsed());
    const status = result.exitCode === null ? 'killed by a signal' : `exit code ${result.exitCode}`;
    const line = lastLine(result.output);
    return failed(elapsed(), line === '' ? status : `${status}: ${line}`);
  } catch (error) {
    if (signal.aborted) return failed(elapsed(), abortMessage(signal));
    return failed(elapsed(), `cannot run the healthcheck: ${error instanceof Error ? error.message : String(error)}`);
  }
}
