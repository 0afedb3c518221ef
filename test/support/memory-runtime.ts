import net from 'node:net';
import { BerthError } from '../../src/errors.js';
import { type Clock, systemClock } from '../../src/health/clock.js';
import { type InstanceId, instanceId, type StackName } from '../../src/model/ids.js';
import { EventHub } from '../../src/runtime/process/event-hub.js';
import type {
  Endpoint, ExecCommand, ExecOptions, ExecResult, ExitInfo, Instance, InstanceSpec, LogLine, LogOptions, Runtime, RuntimeEvent,
} from '../../src/runtime/runtime.js';
import { hostExec } from './memory-exec.js';

/** What one run of a fake replica does. Every field is optional: the default runs until stopped. */
export interface ReplicaScript {
  /** `start()` rejects with this message (the replica stays as it was). */
  readonly startError?: string;
  /** `start()` takes this long (on the clock) before the replica runs. */
  readonly startDelayMs?: number;
  /** Lines written as the run starts. */
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
  /** Lines written later in the run. */
  readonly timeline?: readonly { readonly afterMs: number; readonly text: string; readonly stream?: 'stdout' | 'stderr' }[];
  /** Exits by itself this long after starting (0 = right after `start()` resolves). */
  readonly exitAfterMs?: number;
  readonly exitCode?: number;
  /** On a stop signal in `signals` (default: any): `die` (killed by it, the default), `exit0`, or `ignore` (needs SIGKILL). */
  readonly onSignal?: 'die' | 'exit0' | 'ignore';
  readonly signals?: readonly NodeJS.Signals[];
  /** Written when a handled signal arrives (`got SIGTERM`). */
  readonly signalLine?: string;
  /** Listens for real on each endpoint and answers `hello from <port>` (to check endpoints). */
  readonly listen?: boolean;
}

/** A script per run number (1 = first start), so a test can make a replica crash twice and then stay up. */
export type ReplicaBehavior = ReplicaScript | ((run: number, spec: InstanceSpec) => ReplicaScript);

export interface MemoryRuntimeOptions {
  readonly clock?: Clock;
  /** Behaviour per service name; services without one run until stopped. */
  readonly behaviors?: Readonly<Record<string, ReplicaBehavior>>;
  /** Behaviour from the whole spec, for services without an entry in `behaviors`. */
  readonly behaviorFor?: (spec: InstanceSpec) => ReplicaBehavior | undefined;
  /** `host` runs exec commands for real; `health-switch` answers them from `setHealthy` (healthy by default). */
  readonly exec?: 'host' | 'health-switch';
}

interface Fake {
  readonly spec: InstanceSpec;
  instance: Instance;
  runs: number;
  script: ReplicaScript;
  readonly timers: Set<() => void>;
  pendingStop?: (exit: ExitInfo) => void;
  server?: net.Server;
  readonly lines: LogLine[];
  readonly followers: Set<() => void>;
}

/**
 * An in-memory Runtime for fast supervisor tests: no replica processes, time from an injectable clock, replicas
 * that do what their script says. It keeps the Runtime contract and passes runtime/conformance.ts: `start` resolves
 * once running, `stop` resolves with the exit (after the grace period for a replica that ignores the signal), every
 * start and exit is an event, logs follow until the replica exits, exec runs for real on the host.
 * Test hooks: `behave`, `crash`, `setHealthy`, `write`, `find`, and `calls` (the order of Runtime calls).
 */
export class MemoryRuntime implements Runtime {
  readonly kind = 'memory' as const;
  /** `create api#1`, `start api#1`, `stop api#1`, `remove api#1`, in call order. */
  readonly calls: string[] = [];
  readonly #options: MemoryRuntimeOptions;
  readonly #clock: Clock;
  readonly #fakes = new Map<InstanceId, Fake>();
  readonly #behaviors = new Map<string, ReplicaBehavior>();
  readonly #unhealthy = new Set<string>();
  readonly #hub = new EventHub<RuntimeEvent>();
  #seq = 0;

  constructor(options: MemoryRuntimeOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    for (const [service, behavior] of Object.entries(options.behaviors ?? {})) this.#behaviors.set(service, behavior);
  }

  behave(service: string, behavior: ReplicaBehavior): void {
    this.#behaviors.set(service, behavior);
  }

  /** With `exec: 'health-switch'`: makes the healthcheck of every replica of `service` pass or fail. */
  setHealthy(service: string, healthy: boolean): void {
    if (healthy) this.#unhealthy.delete(service);
    else this.#unhealthy.add(service);
  }

  /** A running replica exits on its own (a crash, a kill -9 from outside). */
  crash(id: InstanceId, exit: { code: number | null; signal?: NodeJS.Signals } = { code: 1 }): void {
    const fake = this.#fake(id);
    if (fake.instance.state === 'running') this.#exit(fake, { code: exit.code, signal: exit.signal ?? null, at: this.#clock.now() });
  }

  write(id: InstanceId, stream: 'stdout' | 'stderr', text: string): void {
    const fake = this.#fake(id);
    fake.lines.push({ instance: id, service: fake.spec.service.name, replica: fake.spec.replica, stream, time: this.#clock.now(), text });
    this.#wake(fake);
  }

  /** The instance of `service#replica`, if one exists. */
  find(service: string, replica = 1): Instance | undefined {
    return [...this.#fakes.values()].find((f) => f.spec.service.name === service && f.spec.replica === replica)?.instance;
  }

  async list(stack: StackName): Promise<Instance[]> {
    return [...this.#fakes.values()].filter((f) => f.spec.stack === stack).map((f) => ({ ...f.instance, spec: f.spec }));
  }

  async create(spec: InstanceSpec, signal?: AbortSignal): Promise<Instance> {
    signal?.throwIfAborted();
    this.#seq += 1;
    const id = instanceId(`${spec.stack}-${spec.service.name}-${spec.replica}-${this.#seq}`);
    const instance: Instance = { id, stack: spec.stack, service: spec.service.name, replica: spec.replica, state: 'created', endpoints: this.#endpoints(spec) };
    this.#fakes.set(id, { spec, instance, runs: 0, script: {}, timers: new Set(), lines: [], followers: new Set() });
    this.calls.push(`create ${label(spec)}`);
    return instance;
  }

  async start(id: InstanceId, signal?: AbortSignal): Promise<Instance> {
    signal?.throwIfAborted();
    const fake = this.#fake(id);
    if (fake.instance.state === 'running') throw stateError(fake, 'is already running');
    this.calls.push(`start ${label(fake.spec)}`);
    const script = this.#script(fake);
    if (script.startDelayMs !== undefined) await this.#delay(script.startDelayMs, signal);
    if (script.startError !== undefined) throw new Error(script.startError);
    fake.runs += 1;
    fake.script = script;
    const at = this.#clock.now();
    const endpoints = script.listen ? await this.#listen(fake) : fake.instance.endpoints;
    fake.instance = { ...fake.instance, state: 'running', pid: 10_000 + this.#seq * 100 + fake.runs, startedAt: at, exit: undefined, endpoints };
    this.#hub.emit({ type: 'started', id, at });
    for (const text of script.stdout ?? []) this.write(id, 'stdout', text);
    for (const text of script.stderr ?? []) this.write(id, 'stderr', text);
    for (const line of script.timeline ?? []) this.#after(fake, line.afterMs, () => this.write(id, line.stream ?? 'stdout', line.text));
    if (script.exitAfterMs !== undefined) this.#after(fake, script.exitAfterMs, () => this.#exit(fake, { code: script.exitCode ?? 0, signal: null, at: this.#clock.now() }));
    return fake.instance;
  }

  async stop(id: InstanceId, how: { readonly signal: NodeJS.Signals; readonly graceMs: number }): Promise<ExitInfo> {
    const fake = this.#fake(id);
    if (fake.instance.state !== 'running') return fake.instance.exit ?? { code: null, signal: null, at: this.#clock.now() };
    this.calls.push(`stop ${label(fake.spec)}`);
    const { script } = fake;
    const handled = (script.signals ?? [how.signal]).includes(how.signal);
    const reaction = handled ? script.onSignal ?? 'die' : 'die';
    if (handled && script.signalLine) this.write(id, 'stdout', script.signalLine);
    if (reaction === 'die') return this.#exit(fake, { code: null, signal: how.signal, at: this.#clock.now() });
    if (reaction === 'exit0') return this.#exit(fake, { code: 0, signal: null, at: this.#clock.now() });
    return new Promise<ExitInfo>((resolve) => {
      fake.pendingStop = resolve;
      this.#after(fake, how.graceMs, () => this.#exit(fake, { code: null, signal: 'SIGKILL', at: this.#clock.now() }));
    });
  }

  async remove(id: InstanceId): Promise<void> {
    const fake = this.#fake(id);
    if (fake.instance.state === 'running') throw stateError(fake, 'is running: stop it first');
    this.calls.push(`remove ${label(fake.spec)}`);
    this.#fakes.delete(id);
    this.#wake(fake);
  }

  async exec(id: InstanceId, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
    options.signal?.throwIfAborted();
    const fake = this.#fake(id);
    if (fake.instance.state !== 'running') throw stateError(fake, 'is not running');
    if (this.#options.exec !== 'health-switch') return hostExec(fake.spec, command, options);
    const healthy = !this.#unhealthy.has(fake.spec.service.name);
    return { exitCode: healthy ? 0 : 1, output: healthy ? '' : 'not ready', timedOut: false };
  }

  /** Lines of the replica; following ends when the replica is not running (or is removed, or the signal aborts). */
  async *logs(id: InstanceId, options: LogOptions): AsyncIterable<LogLine> {
    const fake = this.#fake(id);
    const wanted = (line: LogLine): boolean => options.since === undefined || line.time >= options.since;
    let next = fake.lines.length;
    const initial = fake.lines.filter(wanted);
    yield* options.tail === undefined ? initial : initial.slice(Math.max(0, initial.length - options.tail));
    const following = (): boolean => options.follow && !options.signal?.aborted && this.#fakes.has(id) && fake.instance.state !== 'exited';
    while (following()) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          fake.followers.delete(wake);
          options.signal?.removeEventListener('abort', wake);
          resolve();
        };
        fake.followers.add(wake);
        options.signal?.addEventListener('abort', wake, { once: true });
      });
      while (next < fake.lines.length) {
        const line = fake.lines[next++] as LogLine;
        if (wanted(line)) yield line;
      }
    }
  }

  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return this.#hub.subscribe(signal);
  }

  async close(): Promise<void> {
    this.#hub.close();
    for (const fake of this.#fakes.values()) this.#quiet(fake);
  }

  #fake(id: InstanceId): Fake {
    const fake = this.#fakes.get(id);
    if (!fake) throw new BerthError('RUNTIME_UNKNOWN_INSTANCE', `no replica with id ${id}`);
    return fake;
  }

  #script(fake: Fake): ReplicaScript {
    const behavior = this.#behaviors.get(fake.spec.service.name) ?? this.#options.behaviorFor?.(fake.spec) ?? {};
    return typeof behavior === 'function' ? behavior(fake.runs + 1, fake.spec) : behavior;
  }

  /** Runs `fn` after `ms` of the current run; 0 means right after `start()` resolves, like a process dying at once. */
  #after(fake: Fake, ms: number, fn: () => void): void {
    const run = fake.runs;
    const guarded = (): void => {
      if (fake.instance.state === 'running' && fake.runs === run) fn();
    };
    if (ms === 0) {
      setImmediate(guarded);
      return;
    }
    const cancel = this.#clock.after(ms, () => {
      fake.timers.delete(cancel);
      guarded();
    });
    fake.timers.add(cancel);
  }

  #delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cancel = this.#clock.after(ms, resolve);
      signal?.addEventListener('abort', () => {
        cancel();
        reject(signal.reason);
      }, { once: true });
    });
  }

  #exit(fake: Fake, exit: ExitInfo): ExitInfo {
    this.#quiet(fake);
    fake.instance = { ...fake.instance, state: 'exited', pid: undefined, exit };
    this.#hub.emit({ type: 'exited', id: fake.instance.id, exit });
    const pending = fake.pendingStop;
    fake.pendingStop = undefined;
    pending?.(exit);
    this.#wake(fake);
    return exit;
  }

  /** Cancels the run's timers and closes its listener. */
  #quiet(fake: Fake): void {
    for (const cancel of fake.timers) cancel();
    fake.timers.clear();
    fake.server?.close();
    fake.server = undefined;
  }

  #wake(fake: Fake): void {
    for (const wake of [...fake.followers]) wake();
  }

  async #listen(fake: Fake): Promise<Record<number, Endpoint>> {
    const [target] = Object.keys(fake.instance.endpoints).map(Number);
    if (target === undefined) return fake.instance.endpoints;
    const server = net.createServer((socket) => socket.end(`hello from ${(server.address() as net.AddressInfo).port}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    return { ...fake.instance.endpoints, [target]: { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port } };
  }

  #endpoints(spec: InstanceSpec): Record<number, Endpoint> {
    const targets = new Set([...spec.service.ports.map((p) => p.target), ...spec.service.expose.map((e) => parseInt(e, 10))]);
    const out: Record<number, Endpoint> = {};
    let i = 0;
    for (const target of targets) if (!Number.isNaN(target)) out[target] = { host: '127.0.0.1', port: 20_000 + this.#seq * 10 + i++ };
    return out;
  }
}

function label(spec: InstanceSpec): string {
  return `${spec.service.name}#${spec.replica}`;
}

function stateError(fake: Fake, what: string): BerthError {
  return new BerthError('RUNTIME_INSTANCE_STATE', `${label(fake.spec)} ${what}`);
}
