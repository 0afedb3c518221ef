import { BerthError } from '../errors.js';
import { type Clock, systemClock } from '../health/clock.js';
import { stackName } from '../model/ids.js';
import type { Stack } from '../model/stack.js';
import { planStartExisting, planTeardown } from '../plan/lifecycle-plans.js';
import type { ObservedState } from '../plan/observed.js';
import type { Plan } from '../plan/plan.js';
import { reconcile } from '../plan/reconcile.js';
import { checkNames, dependentsOf, selectServices } from '../plan/selection.js';
import type { Runtime } from '../runtime/runtime.js';
import type { EventSink } from './events.js';
import { executePlan, type StepOutcome } from './plan-executor.js';
import { ReplicaLifecycle, type SupervisorLogger } from './replica-lifecycle.js';
import type { ReplicaView } from './replica-record.js';
import { abortError, ReplicaStore } from './replica-store.js';
import { DEFAULT_RESTART_TIMING, type RestartTiming } from './restart-policy.js';
import { type StepContext, stepRunner } from './step-runner.js';
import { buildUpResult, type UpResult, upFailureError } from './up-result.js';
import { waitReady } from './wait-ready.js';

export type { SupervisorEvent } from './events.js';
export type { ReplicaView } from './replica-record.js';
export { statusText } from './replica-record.js';
export type { UpFailure, UpResult } from './up-result.js';
export { upFailureError } from './up-result.js';
export type { SupervisorLogger } from './replica-lifecycle.js';

export interface SupervisorOptions {
  readonly runtime: Runtime;
  readonly log?: SupervisorLogger;
  /** Time for backoff, health intervals and deadlines; tests pass a manual clock. */
  readonly clock?: Clock;
  readonly restartTiming?: Partial<RestartTiming>;
  /**
   * Deadlines: a dependency gate (default 10 min) and `up --wait` after the plan ran (default 10 min); how long
   * `up --wait` wants a replica without a healthcheck to have run before it counts as ready (default 1 s).
   */
  readonly timeouts?: { readonly gateMs?: number; readonly waitMs?: number; readonly settleMs?: number };
  /** Receives every event, including restarts and health changes between operations. */
  readonly onEvent?: EventSink;
}

export interface OperationOptions {
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
}

export interface UpOptions extends OperationOptions {
  /** Services to bring up with their dependencies; absent or empty = all. */
  readonly services?: readonly string[];
  readonly scale?: Readonly<Record<string, number>>;
  /** Resolve only when every replica is healthy / running / completed; report the ones that are not. */
  readonly wait: boolean;
  /** `service#n` replicas the user had stopped before berth restarted: `unless-stopped` ones stay stopped. */
  readonly stoppedByUser?: readonly string[];
  /** The release of each service (BERTH_RELEASE of the replicas this `up` creates). */
  readonly releases?: Readonly<Record<string, string>>;
}

export interface DownOptions extends OperationOptions {
  readonly services?: readonly string[];
}

const TEN_MINUTES = 600_000;

/**
 * Runs a Stack on a Runtime with compose semantics: `up` reconciles what exists with what the stack asks for and
 * executes the plan (dependency order and gates, parallel replicas), restart policies with backoff act on exits
 * berth did not ask for, health monitors feed `status()` and gates; `down`/`stop` go in reverse dependency order.
 * Operations run one at a time, in call order; `down` and `stop` cancel an operation still waiting (an `up`
 * blocked on a gate). Replica failures resolve `up` with `{ ok: false }`; cancellation rejects with
 * SUPERVISOR_ABORTED. `close()` stops timers and monitors and leaves replicas running.
 */
export class Supervisor {
  readonly #runtime: Runtime;
  readonly #log: SupervisorLogger;
  readonly #clock: Clock;
  readonly #store: ReplicaStore;
  readonly #lifecycle: ReplicaLifecycle;
  readonly #timeouts: { readonly gateMs: number; readonly waitMs: number; readonly settleMs: number };
  #stack: Stack | undefined;
  #queue: Promise<void> = Promise.resolve();
  #current: AbortController | undefined;
  #events: AbortController | undefined;

  constructor(options: SupervisorOptions) {
    this.#runtime = options.runtime;
    this.#log = options.log ?? { info: () => undefined, warn: () => undefined, error: () => undefined };
    this.#clock = options.clock ?? systemClock;
    this.#store = new ReplicaStore(this.#clock);
    if (options.onEvent) this.#store.attach(options.onEvent);
    const timing = { ...DEFAULT_RESTART_TIMING, ...options.restartTiming };
    this.#lifecycle = new ReplicaLifecycle({ runtime: this.#runtime, clock: this.#clock, store: this.#store, log: this.#log, timing });
    this.#timeouts = {
      gateMs: options.timeouts?.gateMs ?? TEN_MINUTES, waitMs: options.timeouts?.waitMs ?? TEN_MINUTES, settleMs: options.timeouts?.settleMs ?? 1000,
    };
  }

  up(stack: Stack, options: UpOptions): Promise<UpResult> {
    return this.#exclusive(options, false, async (signal) => {
      const services = nonEmpty(options.services);
      const plan = reconcile({ stack, services, scale: options.scale, stoppedByUser: options.stoppedByUser, releases: options.releases }, await this.#observe(stack, signal));
      this.#stack = stack;
      const keepStopped = new Set(options.stoppedByUser ?? []);
      const desiredCount = (name: string): number => options.scale?.[name] ?? stack.services[name]?.replicas ?? 0;
      const outcomes = await this.#execute(plan, this.#context({ stack, signal, desiredCount, keepStopped, stopsByUser: false }));
      const selected = new Set(selectServices(stack, services));
      const targets = this.#store.all().filter((r) => selected.has(r.service) && !['created', 'waiting', 'stopped'].includes(r.status));
      const notReady = options.wait ? await waitReady(targets, this.#store, { timeoutMs: this.#timeouts.waitMs, settleMs: this.#timeouts.settleMs, clock: this.#clock, signal }) : [];
      return this.#result(outcomes, notReady);
    });
  }

  /**
   * Runs a plan built outside (a deploy's steps, src/plan/deploy-plans.ts) as one operation, with `stack` as the
   * stack from now on. Resolves like `up` without waiting: failures of steps, with their reasons and log tails.
   */
  apply(stack: Stack, plan: Plan, options: OperationOptions = {}): Promise<UpResult> {
    return this.#exclusive(options, false, async (signal) => {
      this.#stack = stack;
      const desiredCount = (name: string): number => Math.max(this.#store.ofService(name).length, stack.services[name]?.replicas ?? 0);
      const outcomes = await this.#execute(plan, this.#context({ stack, signal, desiredCount, keepStopped: new Set(), stopsByUser: false }));
      return this.#result(outcomes, []);
    });
  }

  /**
   * Waits (outside the operation queue) until these replicas of `service` are ready — healthy, or running for the
   * settle time without a healthcheck, or completed with exit 0 for a job — or one fails, or the deadline passes.
   */
  async waitReady(service: string, replicas: readonly number[], options: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<UpResult> {
    const wanted = new Set(replicas);
    const records = this.#store.ofService(service).filter((r) => wanted.has(r.replica));
    const failures = await waitReady(records, this.#store, { timeoutMs: options.timeoutMs, settleMs: this.#timeouts.settleMs, clock: this.#clock, ...(options.signal ? { signal: options.signal } : {}) });
    return this.#result([], failures);
  }

  /**
   * Supervises again the replicas of `stack` that the runtime still runs from an earlier berth (the daemon was
   * restarted, the data plane kept them): running instances with a spec become supervised replicas without a
   * restart. The others (exited, or without a spec) are left to the next `up`, which removes or replaces them.
   * Returns the adopted replicas' keys.
   */
  adopt(stack: string, options: OperationOptions = {}): Promise<string[]> {
    return this.#exclusive(options, false, async (signal) => {
      this.#listen();
      const known = new Set(this.#store.all().map((r) => r.id));
      const instances = await this.#runtime.list(stackName(stack), signal);
      const adopted: string[] = [];
      for (const instance of instances) {
        if (known.has(instance.id) || instance.state !== 'running' || instance.spec === undefined) continue;
        adopted.push(this.#lifecycle.adopt({ ...instance, spec: instance.spec }).key);
      }
      return adopted;
    });
  }

  /** Every replica the supervisor knows, as reconcile() and the deploy plans see them. */
  observed(): ObservedState {
    return this.#store.observed();
  }

  down(options: DownOptions = {}): Promise<void> {
    return this.#exclusive(options, true, async (signal) => {
      const services = nonEmpty(options.services);
      if (services && this.#stack) checkNames(this.#stack, services);
      const observed = services || !this.#stack ? this.#store.observed() : await this.#observe(this.#stack, signal);
      const plan = planTeardown(this.#stack, observed, { services, remove: true });
      await this.#teardown(plan, signal, false);
    });
  }

  stop(services?: readonly string[], options: OperationOptions = {}): Promise<void> {
    return this.#exclusive(options, true, async (signal) => {
      const names = this.#names(services);
      await this.#teardown(planTeardown(this.#stack, this.#store.observed(), { services: names, remove: false }), signal, true);
    });
  }

  start(services?: readonly string[], options: OperationOptions = {}): Promise<void> {
    return this.#exclusive(options, false, async (signal) => this.#startExisting(this.#names(services), signal));
  }

  /** Stops then starts the services, plus the services that declare `depends_on: {X: {restart: true}}` on them. */
  restart(services?: readonly string[], options: OperationOptions = {}): Promise<void> {
    return this.#exclusive(options, false, async (signal) => {
      const names = this.#withRestartingDependents(this.#names(services));
      await this.#teardown(planTeardown(this.#stack, this.#store.observed(), { services: names, remove: false }), signal, false);
      await this.#startExisting(names, signal);
    });
  }

  /** Every replica, in stack order then replica number; services no longer in the stack last. */
  status(): ReplicaView[] {
    const order = Object.keys(this.#stack?.services ?? {});
    const rank = (service: string): number => (order.includes(service) ? order.indexOf(service) : order.length);
    return this.#store.all()
      .sort((a, b) => rank(a.service) - rank(b.service) || a.service.localeCompare(b.service) || a.replica - b.replica)
      .map((record) => record.view());
  }

  /**
   * Stops health monitors, restart timers and the event subscription, and cancels the operation in progress
   * (without waiting for a runtime call that is under way); replicas keep running.
   */
  async close(): Promise<void> {
    this.#current?.abort(new BerthError('SUPERVISOR_ABORTED', 'the supervisor is closing'));
    this.#events?.abort();
    this.#lifecycle.close();
  }

  async #startExisting(names: readonly string[] | undefined, signal: AbortSignal): Promise<void> {
    const stack = this.#stack;
    if (!stack || !names) return;
    const plan = planStartExisting(stack, this.#store.observed(), names);
    const desiredCount = (name: string): number => this.#store.ofService(name).length;
    const outcomes = await this.#execute(plan, this.#context({ stack, signal, desiredCount, keepStopped: new Set(), stopsByUser: false }));
    const result = await this.#result(outcomes, []);
    if (!result.ok) throw upFailureError(result);
  }

  async #teardown(plan: Plan, signal: AbortSignal, byUser: boolean): Promise<void> {
    const stack = this.#stack ?? emptyStack();
    const context = this.#context({ stack, signal, desiredCount: () => 0, keepStopped: new Set(), stopsByUser: byUser });
    for (const { outcome } of await this.#execute(plan, context)) {
      if (outcome.kind !== 'done') throw new BerthError(outcome.failure.code, outcome.failure.reason);
    }
  }

  async #execute(plan: Plan, context: StepContext): Promise<{ step: Plan['steps'][number]; outcome: StepOutcome }[]> {
    this.#listen();
    if (!plan.isEmpty) this.#store.emit({ type: 'plan', at: this.#clock.now(), text: plan.toString(), steps: plan.steps.length });
    this.#log.info('executing plan', { steps: plan.steps.length });
    const outcomes = await executePlan(plan, stepRunner(context), { emit: (e) => this.#store.emit(e), now: () => this.#clock.now(), ...(context.signal ? { signal: context.signal } : {}) });
    if (context.signal?.aborted) throw abortError(context.signal);
    return plan.steps.map((step, i) => ({ step, outcome: outcomes[i] as StepOutcome }));
  }

  #result(outcomes: { step: Plan['steps'][number]; outcome: StepOutcome }[], notReady: Parameters<typeof buildUpResult>[1]): Promise<UpResult> {
    const instanceOf = (service: string) => this.#store.ofService(service).at(-1)?.id;
    return buildUpResult(outcomes, notReady, { runtime: this.#runtime, instanceOf });
  }

  #context(fields: Pick<StepContext, 'stack' | 'desiredCount' | 'keepStopped' | 'stopsByUser'> & { signal: AbortSignal }): StepContext {
    return {
      ...fields, runtime: this.#runtime, lifecycle: this.#lifecycle, store: this.#store, clock: this.#clock, log: this.#log,
      gateTimeoutMs: this.#timeouts.gateMs,
    };
  }

  /** The supervisor's replicas plus instances of the stack it does not know (left by an earlier berth). */
  async #observe(stack: Stack, signal: AbortSignal): Promise<ObservedState> {
    this.#listen();
    const known = this.#store.observed();
    const ids = new Set(known.replicas.map((r) => r.id));
    const leftovers = (await this.#runtime.list(stackName(stack.name), signal)).filter((instance) => !ids.has(instance.id));
    const extra = leftovers.map((i) => ({ service: i.service, replica: i.replica, id: i.id, state: i.state, stoppedByUser: false }));
    return { replicas: [...known.replicas, ...extra] };
  }

  /** Named services (validated), or every service of the stack for none; undefined before the first `up`. */
  #names(services: readonly string[] | undefined): readonly string[] | undefined {
    const stack = this.#stack;
    if (!stack) return undefined;
    const names = nonEmpty(services);
    if (names) checkNames(stack, names);
    return names ?? Object.keys(stack.services);
  }

  #withRestartingDependents(names: readonly string[] | undefined): readonly string[] | undefined {
    const stack = this.#stack;
    if (!stack || !names) return names;
    const out = new Set(names);
    for (const name of out) {
      for (const dependent of dependentsOf(stack, name)) if (stack.services[dependent]?.dependsOn[name]?.restart) out.add(dependent);
    }
    return Object.keys(stack.services).filter((name) => out.has(name));
  }

  /** Subscribes to the runtime's events once, before the first Runtime call. */
  #listen(): void {
    if (this.#events) return;
    const controller = new AbortController();
    this.#events = controller;
    const stream = this.#runtime.events(controller.signal);
    void (async () => {
      try {
        for await (const event of stream) this.#lifecycle.onRuntimeEvent(event);
      } catch (error) {
        if (!controller.signal.aborted) this.#log.error('runtime event stream failed', { error: error instanceof Error ? error.message : String(error) });
      }
    })();
  }

  /** Runs operations one at a time; `preempt` cancels the one in progress first (down/stop beat a waiting up). */
  async #exclusive<T>(options: OperationOptions, preempt: boolean, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (preempt) this.#current?.abort(new BerthError('SUPERVISOR_ABORTED', 'cancelled by a later stop or down'));
    const previous = this.#queue;
    let release: () => void = () => undefined;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    const controller = new AbortController();
    this.#current = controller;
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const detach = options.onEvent ? this.#store.attach(options.onEvent) : () => false;
    try {
      signal.throwIfAborted();
      return await operation(signal);
    } catch (error) {
      throw signal.aborted && !(error instanceof BerthError) ? abortError(signal) : error;
    } finally {
      detach();
      if (this.#current === controller) this.#current = undefined;
      release();
    }
  }
}

function nonEmpty(services: readonly string[] | undefined): readonly string[] | undefined {
  return services && services.length > 0 ? services : undefined;
}

function emptyStack(): Stack {
  return { name: '', projectDir: '', files: [], services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, profiles: [], extensions: {}, berth: { other: {} } };
}
