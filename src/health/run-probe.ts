import { formatDuration } from '../spec/duration.js';
import { type Clock, systemClock } from './clock.js';
import { abortMessage, failed, type Probe, type ProbeResult, stopwatch } from './probe.js';

/** The abort reason of a probe that ran out of time; its message is the probe's failure reason. */
export class ProbeTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${formatDuration(timeoutMs)}`);
    this.name = 'ProbeTimeoutError';
  }
}

export interface RunProbeOptions {
  readonly timeoutMs: number;
  /** Aborts the check early (e.g. the monitor closing); the result then says why. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/** A check under way: its result (bounded by the timeout) and when the probe itself has finished. */
export interface RunningProbe {
  /** Resolves by the deadline at the latest, even if the probe ignores its abort signal. */
  readonly result: Promise<ProbeResult>;
  /** Resolves when the probe's own promise settles; never rejects. */
  readonly settled: Promise<void>;
}

/** Runs one check bounded by `timeoutMs`: at the deadline the probe is aborted and fails "timed out after 5s". */
export async function runProbe(probe: Probe, options: RunProbeOptions): Promise<ProbeResult> {
  return startProbe(probe, options).result;
}

export function startProbe(probe: Probe, options: RunProbeOptions): RunningProbe {
  const elapsed = stopwatch();
  const controller = new AbortController();
  const clock = options.clock ?? systemClock;
  const cancelTimer = clock.after(options.timeoutMs, () => controller.abort(new ProbeTimeoutError(options.timeoutMs)));
  const forward = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener('abort', forward, { once: true });
  const checked = checkSafely(probe, controller.signal, elapsed);
  const aborted = new Promise<ProbeResult>((resolve) => {
    const onAbort = (): void => resolve(failed(elapsed(), abortMessage(controller.signal)));
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
    void checked.then(() => controller.signal.removeEventListener('abort', onAbort));
  });
  const settled = checked.then(() => {
    cancelTimer();
    options.signal?.removeEventListener('abort', forward);
  });
  return { result: Promise.race([checked, aborted]), settled };
}

/** The probe's result, or a failure when it broke its contract by throwing. */
async function checkSafely(probe: Probe, signal: AbortSignal, elapsed: () => number): Promise<ProbeResult> {
  try {
    return await probe.check(signal);
  } catch (error) {
    return failed(elapsed(), signal.aborted ? abortMessage(signal) : `the probe failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
