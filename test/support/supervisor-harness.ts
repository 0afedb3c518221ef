import type { Service } from '../../src/model/stack.js';
import { testService } from '../../src/spec/validate/rules/test-stack.js';
import type { SupervisorEvent } from '../../src/supervisor/events.js';
import type { RestartTiming } from '../../src/supervisor/restart-policy.js';
import { type ReplicaView, Supervisor } from '../../src/supervisor/supervisor.js';
import { ManualClock } from './manual-clock.js';
import { MemoryRuntime, type ReplicaBehavior } from './memory-runtime.js';

export interface HarnessOptions {
  readonly behaviors?: Readonly<Record<string, ReplicaBehavior>>;
  readonly restartTiming?: Partial<RestartTiming>;
  readonly timeouts?: { readonly gateMs?: number; readonly waitMs?: number; readonly settleMs?: number };
}

/** A Supervisor on a MemoryRuntime with a ManualClock, recording every event. */
export class SupervisorHarness {
  readonly clock = new ManualClock();
  readonly runtime: MemoryRuntime;
  readonly supervisor: Supervisor;
  readonly events: SupervisorEvent[] = [];

  constructor(options: HarnessOptions = {}) {
    this.runtime = new MemoryRuntime({ clock: this.clock, exec: 'health-switch', ...(options.behaviors ? { behaviors: options.behaviors } : {}) });
    this.supervisor = new Supervisor({
      runtime: this.runtime,
      clock: this.clock,
      onEvent: (event) => this.events.push(event),
      ...(options.restartTiming ? { restartTiming: options.restartTiming } : {}),
      // Replicas count as settled at once unless a test asks otherwise (`up --wait` settle time).
      timeouts: { settleMs: 0, ...options.timeouts },
    });
  }

  view(service: string, replica = 1): ReplicaView | undefined {
    return this.supervisor.status().find((r) => r.service === service && r.replica === replica);
  }

  /** Waits (event-loop turns, a real 2 s deadline, no sleeping) until `service#replica` satisfies `check`. */
  async until(service: string, check: (view: ReplicaView) => boolean, replica = 1): Promise<ReplicaView> {
    return until(`${service}#${replica}`, () => {
      const view = this.view(service, replica);
      return view && check(view) ? view : undefined;
    });
  }

  /** Moves the clock in steps, letting async work run between them (probes, restarts scheduled by timers). */
  async advance(ms: number, step = 50): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.clock.advance(Math.min(step, ms - done));
      await settle();
    }
  }

  async close(): Promise<void> {
    await this.supervisor.close();
    await this.runtime.close();
  }
}

/** A long-running service (the default behaviour of the memory runtime). */
export function svc(name: string, fields: Partial<Service> = {}): Service {
  return testService(name, fields);
}

/** A compose healthcheck run through runtime.exec every `intervalMs`. */
export function healthcheck(intervalMs = 1000, retries = 3): NonNullable<Service['healthcheck']> {
  return { test: { kind: 'exec', argv: ['check'] }, intervalMs, timeoutMs: 500, retries, startPeriodMs: 0, startIntervalMs: intervalMs };
}

/** Lets pending promise callbacks and immediates run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Polls `check` on each event-loop turn until it gives a value; fails after a real-time deadline. */
export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
