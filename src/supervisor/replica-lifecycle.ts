import { BerthError } from '../errors.js';
import type { Clock } from '../health/clock.js';
import { serviceFingerprint } from '../plan/fingerprint.js';
import type { ExitInfo, Instance, InstanceSpec, Runtime, RuntimeEvent } from '../runtime/runtime.js';
import { unwatchHealth, watchHealth } from './health-watch.js';
import { ReplicaRecord } from './replica-record.js';
import type { ReplicaStore } from './replica-store.js';
import { crashLoop, decideRestart, FRESH_RESTART_MEMORY, type RestartTiming } from './restart-policy.js';
import { assertNever, isLive } from './replica-status.js';

/** The logger the supervisor writes to: constant message, data in fields. */
export interface SupervisorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LifecycleContext {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly store: ReplicaStore;
  readonly log: SupervisorLogger;
  readonly timing: RestartTiming;
}

/**
 * Runs single replicas through their life: create, start (then health monitoring), stop, remove, and what happens
 * when one exits on its own (the restart policy, with backoff). It never orders services: plans and gates do.
 */
export class ReplicaLifecycle {
  constructor(private readonly context: LifecycleContext) {}

  async create(spec: InstanceSpec, signal?: AbortSignal): Promise<ReplicaRecord> {
    const instance = await this.context.runtime.create(spec, signal);
    const record = new ReplicaRecord(spec, instance, serviceFingerprint(spec.service), this.context.clock.now());
    this.context.store.add(record);
    return record;
  }

  /**
   * Supervises again a replica that an earlier berth started and that still runs (the control plane restarted,
   * the data plane did not): it is not restarted; its health is monitored and its policy applies from now on.
   */
  adopt(instance: Instance & { readonly spec: InstanceSpec }): ReplicaRecord {
    const { store, clock } = this.context;
    const record = new ReplicaRecord(instance.spec, instance, serviceFingerprint(instance.spec.service), clock.now());
    store.add(record);
    record.everStarted = true;
    record.runStartedAt = instance.startedAt ?? clock.now();
    store.setStatus(record, 'starting');
    store.setStatus(record, 'running');
    watchHealth(record, this.context);
    // It was serving a moment ago: it stays in rotation until its own probe says otherwise (no gap while the
    // first probe of the new daemon is due).
    if (record.health === 'starting') record.health = 'healthy';
    return record;
  }

  /**
   * Starts a replica the user (or `up`) wants running: clears "stopped by the user" and the restart count, as a
   * manual `docker start` resets the restart manager. Resolves once the runtime says it runs.
   */
  async start(record: ReplicaRecord, signal?: AbortSignal): Promise<void> {
    record.stoppedByUser = false;
    record.memory = FRESH_RESTART_MEMORY;
    await this.#run(record, 'user', signal);
  }

  /** Stops a replica, dependents having been stopped first by the caller. `byUser` keeps it down until `start`. */
  async stop(record: ReplicaRecord, byUser: boolean): Promise<void> {
    this.#cancelRestart(record);
    record.generation += 1;
    unwatchHealth(record);
    if (byUser) record.stoppedByUser = true;
    const { store, runtime } = this.context;
    if (!isLive(record.status)) {
      if (record.status === 'restarting' || record.status === 'created' || record.status === 'waiting') store.setStatus(record, 'stopped');
      return;
    }
    store.setStatus(record, 'stopping');
    record.expectedExits += 1;
    const { stopSignal, stopGracePeriodMs } = record.spec.service;
    const exit = await runtime.stop(record.id, { signal: stopSignal as NodeJS.Signals, graceMs: stopGracePeriodMs });
    record.lastExit = exit;
    record.instance = { ...record.instance, state: 'exited', exit, pid: undefined };
    store.setStatus(record, 'stopped');
  }

  async remove(record: ReplicaRecord): Promise<void> {
    this.#cancelRestart(record);
    unwatchHealth(record);
    await this.context.runtime.remove(record.id);
    this.context.store.delete(record);
  }

  /** Feeds one runtime event in; exits berth did not ask for go to the restart policy. */
  onRuntimeEvent(event: RuntimeEvent): void {
    switch (event.type) {
      case 'started':
        return;
      case 'exited': {
        const record = this.context.store.byId(event.id);
        if (record) this.#onExit(record, event.exit);
        return;
      }
      default:
        return assertNever(event);
    }
  }

  /** Cancels restart timers and health monitors; replicas keep running. */
  close(): void {
    for (const record of this.context.store.all()) {
      this.#cancelRestart(record);
      unwatchHealth(record);
    }
  }

  /** A start the policy makes that the runtime refuses counts as one more failed run: the policy applies again. */
  async #run(record: ReplicaRecord, by: 'user' | 'policy', signal?: AbortSignal): Promise<void> {
    const { store, runtime, clock } = this.context;
    this.#cancelRestart(record);
    record.generation += 1;
    store.setStatus(record, 'starting');
    // Set before the call: an exit may be handled before start() resolves, and its uptime counts from here.
    record.runStartedAt = clock.now();
    let instance;
    try {
      instance = await runtime.start(record.id, signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (by === 'policy') {
        this.context.log.error('replica restart failed', { replica: record.key, error: message });
        if (record.status === 'starting') this.#applyPolicy(record, { code: null, signal: null, at: clock.now() });
        return;
      }
      if (record.status === 'starting') store.setStatus(record, 'failed', `could not start: ${message}`);
      const hint = error instanceof BerthError ? error.hint : undefined;
      throw new BerthError('SUPERVISOR_START_FAILED', `${record.key} could not be started: ${message}`, { cause: error, ...(hint ? { hint } : {}) });
    }
    record.instance = instance;
    record.everStarted = true;
    record.runStartedAt = instance.startedAt ?? record.runStartedAt;
    // It may already have exited (the exit event came in while start() was resolving): then it is not running.
    if (record.status !== 'starting') return;
    store.setStatus(record, 'running');
    watchHealth(record, this.context);
  }

  #onExit(record: ReplicaRecord, exit: ExitInfo): void {
    if (record.expectedExits > 0) {
      // The exit of a stop berth asked for (it may arrive after a new start): not a crash.
      record.expectedExits -= 1;
      return;
    }
    if (record.status !== 'running' && record.status !== 'starting') return;
    this.#applyPolicy(record, exit);
  }

  #applyPolicy(record: ReplicaRecord, exit: ExitInfo): void {
    unwatchHealth(record);
    record.lastExit = exit;
    record.everStarted = true;
    record.instance = { ...record.instance, state: 'exited', exit, pid: undefined };
    const { clock, store, timing, log } = this.context;
    const now = clock.now();
    const ranMs = Math.max(0, exit.at - (record.runStartedAt ?? exit.at));
    const { decision, memory } = decideRestart({ policy: record.spec.service.restart, exit, memory: record.memory, ranMs, now, timing });
    record.memory = memory;
    switch (decision.kind) {
      case 'stay-exited':
        return store.setStatus(record, 'exited');
      case 'give-up':
        log.warn('replica gave up restarting', { replica: record.key, reason: decision.reason });
        return store.setStatus(record, 'failed', decision.reason);
      case 'restart':
        return this.#scheduleRestart(record, exit, decision.delayMs);
      default:
        return assertNever(decision);
    }
  }

  #scheduleRestart(record: ReplicaRecord, exit: ExitInfo, delayMs: number): void {
    const { clock, store, log } = this.context;
    const now = clock.now();
    store.setStatus(record, 'restarting', crashLoop(record.memory, now, this.context.timing));
    store.emit({ type: 'restart', at: now, service: record.service, replica: record.replica, restarts: record.memory.restarts, delayMs, exit });
    log.info('replica will restart', { replica: record.key, exit, delayMs, restarts: record.memory.restarts });
    const generation = record.generation;
    record.cancelRestart = clock.after(delayMs, () => {
      record.cancelRestart = undefined;
      if (record.generation !== generation || record.status !== 'restarting') return;
      void this.#run(record, 'policy');
    });
  }

  #cancelRestart(record: ReplicaRecord): void {
    record.cancelRestart?.();
    record.cancelRestart = undefined;
  }
}
