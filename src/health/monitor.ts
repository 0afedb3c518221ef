import { type Clock, systemClock } from './clock.js';
import { applyProbeResult, type HealthState, type HealthStatus, INITIAL_HEALTH } from './health-state.js';
import type { HealthTiming, Probe, ProbeResult } from './probe.js';
import { startProbe } from './run-probe.js';

export interface HealthMonitorOptions {
  readonly probe: Probe;
  readonly timing: HealthTiming;
  /** Called on each change of state, with the result that caused it. Must not throw. */
  readonly onChange: (state: HealthState, result: ProbeResult) => void;
  /** Called after every probe (forgiven or not) with the status it led to (logs, `berth ps`). Must not throw. */
  readonly onProbe?: (result: ProbeResult, status: HealthStatus) => void;
  readonly clock?: Clock;
  /** When the replica started, in the clock's time; the start period counts from here. Default: when `start()` runs. */
  readonly startedAt?: number;
}

/** Docker's values for a timing of 0 or less. */
const DOCKER_DEFAULTS: HealthTiming = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 };

type Lifecycle = 'idle' | 'running' | 'closed';

/**
 * Probes one replica on a timer and tracks its health exactly as Docker does: the state starts `starting`; while
 * inside the start period and still `starting`, probes run every `startIntervalMs` and failures do not count (a
 * success makes it healthy at once); otherwise every `intervalMs`. `retries` counted failures in a row make it
 * unhealthy, one success makes it healthy. The first probe runs one interval after `start()`; each interval counts
 * from the end of the previous probe, so probes never overlap. Each probe is aborted at `timeoutMs`.
 * `close()` cancels the timer, aborts a probe in flight and resolves once it has finished; no callback runs after
 * `close()` is called. It does not restart anything or decide what unhealthy means: the supervisor does.
 */
export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  readonly #timing: HealthTiming;
  readonly #clock: Clock;
  #lifecycle: Lifecycle = 'idle';
  #status: HealthStatus = INITIAL_HEALTH;
  #lastResult: ProbeResult | undefined;
  #startedAt = 0;
  #cancelTimer: (() => void) | undefined;
  #inFlight: { readonly controller: AbortController; readonly settled: Promise<void> } | undefined;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timing = withDockerDefaults(options.timing);
  }

  get state(): HealthState {
    return this.#status.state;
  }

  /** The state and the current count of consecutive counted failures. */
  get status(): HealthStatus {
    return this.#status;
  }

  /** The latest probe result, counted or not; undefined before the first probe ends. */
  get lastResult(): ProbeResult | undefined {
    return this.#lastResult;
  }

  /** Schedules the first probe. Calling it again, or after `close()`, does nothing. */
  start(): void {
    if (this.#lifecycle !== 'idle') return;
    this.#lifecycle = 'running';
    this.#startedAt = this.#options.startedAt ?? this.#clock.now();
    this.#schedule();
  }

  /** Stops probing; safe to call at any time, any number of times. */
  async close(): Promise<void> {
    this.#lifecycle = 'closed';
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const inFlight = this.#inFlight;
    inFlight?.controller.abort(new Error('the health monitor was closed'));
    await inFlight?.settled;
  }

  #schedule(): void {
    this.#cancelTimer = this.#clock.after(this.#nextDelay(), () => {
      this.#cancelTimer = undefined;
      void this.#probeOnce();
    });
  }

  #inStartPeriod(at: number): boolean {
    return at - this.#startedAt < this.#timing.startPeriodMs;
  }

  #nextDelay(): number {
    const starting = this.#status.state === 'starting' && this.#inStartPeriod(this.#clock.now());
    return starting ? this.#timing.startIntervalMs : this.#timing.intervalMs;
  }

  async #probeOnce(): Promise<void> {
    if (this.#lifecycle !== 'running') return;
    const controller = new AbortController();
    const began = this.#clock.now();
    const running = startProbe(this.#options.probe, { timeoutMs: this.#timing.timeoutMs, signal: controller.signal, clock: this.#clock });
    this.#inFlight = { controller, settled: running.settled };
    const result = await running.result;
    if (this.#lifecycle === 'running') this.#record(result, began);
    // A probe that ignored its abort still runs: the next one waits for it, so two never overlap.
    await running.settled;
    this.#inFlight = undefined;
    if (this.#lifecycle === 'running') this.#schedule();
  }

  #record(result: ProbeResult, began: number): void {
    const before = this.#status;
    this.#status = applyProbeResult(before, result, { retries: this.#timing.retries, inStartPeriod: this.#inStartPeriod(began) });
    this.#lastResult = result;
    this.#options.onProbe?.(result, this.#status);
    if (this.#status.state !== before.state) this.#options.onChange(this.#status.state, result);
  }
}

function withDockerDefaults(timing: HealthTiming): HealthTiming {
  const positive = (value: number, fallback: number): number => (value > 0 ? value : fallback);
  return {
    intervalMs: positive(timing.intervalMs, DOCKER_DEFAULTS.intervalMs),
    timeoutMs: positive(timing.timeoutMs, DOCKER_DEFAULTS.timeoutMs),
    retries: positive(timing.retries, DOCKER_DEFAULTS.retries),
    startPeriodMs: Math.max(0, timing.startPeriodMs),
    startIntervalMs: positive(timing.startIntervalMs, DOCKER_DEFAULTS.startIntervalMs),
  };
}
