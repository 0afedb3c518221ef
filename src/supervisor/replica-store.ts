import { BerthError } from '../errors.js';
import type { Clock } from '../health/clock.js';
import type { InstanceId } from '../model/ids.js';
import { type ObservedState } from '../plan/observed.js';
import type { EventSink, SupervisorEvent } from './events.js';
import type { ReplicaRecord } from './replica-record.js';
import { assertNever, assertTransition } from './replica-status.js';

export interface WaitOptions<T> {
  readonly signal?: AbortSignal;
  /** How long to wait at most, on the supervisor's clock. */
  readonly timeoutMs: number;
  /** The value to resolve with when the deadline passes. */
  readonly onTimeout: () => T;
}

/**
 * The supervisor's replicas, keyed `service#replica`, plus change notification: every status or health change
 * wakes the waits (dependency gates, `up --wait`), which re-evaluate their condition. Status changes go through
 * `setStatus`, which checks the transition table and reports a `status` event.
 */
export class ReplicaStore {
  readonly #records = new Map<string, ReplicaRecord>();
  readonly #listeners = new Set<() => void>();
  readonly #sinks = new Set<EventSink>();

  constructor(private readonly clock: Clock) {}

  add(record: ReplicaRecord): void {
    this.#records.set(record.key, record);
    this.changed();
  }

  delete(record: ReplicaRecord): void {
    if (this.#records.get(record.key) === record) this.#records.delete(record.key);
    this.changed();
  }

  get(key: string): ReplicaRecord | undefined {
    return this.#records.get(key);
  }

  byId(id: InstanceId): ReplicaRecord | undefined {
    return [...this.#records.values()].find((record) => record.id === id);
  }

  all(): ReplicaRecord[] {
    return [...this.#records.values()];
  }

  ofService(service: string): ReplicaRecord[] {
    return this.all().filter((record) => record.service === service).sort((a, b) => a.replica - b.replica);
  }

  setStatus(record: ReplicaRecord, to: ReplicaRecord['status'], detail?: string): void {
    if (record.status === to && record.detail === detail) return;
    if (record.status !== to) assertTransition(record.status, to, record.key);
    record.status = to;
    record.since = this.clock.now();
    record.detail = detail;
    const exit = to === 'exited' || to === 'failed' || to === 'restarting' || to === 'stopped' ? record.lastExit : undefined;
    this.emit({
      type: 'status', at: record.since, service: record.service, replica: record.replica, status: to,
      ...(detail === undefined ? {} : { detail }), ...(exit === undefined ? {} : { exit }),
    });
    this.changed();
  }

  /** Reports progress to every attached sink (the supervisor's own, the current operation's). */
  emit(event: SupervisorEvent): void {
    for (const sink of this.#sinks) sink(event);
  }

  /** Attaches a sink until the returned function is called. */
  attach(sink: EventSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  /** Wakes every wait; call after changing anything a condition may read (health, exits). */
  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /**
   * Resolves with the first defined value of `check`, evaluated now and after every change; with `onTimeout()`
   * at the deadline; rejects with SUPERVISOR_ABORTED when `signal` aborts.
   */
  waitFor<T>(check: () => T | undefined, options: WaitOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(abortError(options.signal));
        return;
      }
      const finish = (settle: () => void): void => {
        this.#listeners.delete(evaluate);
        cancelTimer();
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = (): void => finish(() => reject(abortError(options.signal)));
      const evaluate = (): void => {
        const value = check();
        if (value !== undefined) finish(() => resolve(value));
      };
      const cancelTimer = this.clock.after(options.timeoutMs, () => finish(() => resolve(options.onTimeout())));
      this.#listeners.add(evaluate);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      evaluate();
    });
  }

  /** The supervisor's replicas as reconcile() sees them. */
  observed(): ObservedState {
    return {
      replicas: this.all().map((record) => ({
        service: record.service,
        replica: record.replica,
        id: record.id,
        state: observedState(record),
        fingerprint: record.fingerprint,
        stoppedByUser: record.stoppedByUser,
      })),
    };
  }
}

/** A replica a restart policy owns counts as running: `up` must not start it a second time. */
function observedState(record: ReplicaRecord): 'created' | 'running' | 'exited' {
  switch (record.status) {
    case 'created':
    case 'waiting':
      return 'created';
    case 'starting':
    case 'running':
    case 'restarting':
    case 'stopping':
      return 'running';
    case 'exited':
    case 'failed':
    case 'stopped':
      return 'exited';
    default:
      return assertNever(record.status);
  }
}

export function abortError(signal: AbortSignal | undefined): BerthError {
  const reason: unknown = signal?.reason;
  if (reason instanceof BerthError) return reason;
  const why = reason instanceof Error && reason.message ? `: ${reason.message}` : '';
  return new BerthError('SUPERVISOR_ABORTED', `the operation was cancelled${why}`, { cause: reason });
}
