import { rm } from 'node:fs/promises';
import { aggregate, BerthError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { InstanceId, StackName } from '../../model/ids.js';
import type { Stack } from '../../model/stack.js';
import type {
  ExecCommand, ExecOptions, ExecResult, ExitInfo, Instance, InstanceSpec, LogLine, LogOptions, Runtime, RuntimeEvent,
} from '../runtime.js';
import { rewriteProbe } from './addresses/probe-rewrite.js';
import { AdapterRegistry } from './adapters/registry.js';
import { EventHub } from './event-hub.js';
import type { PublishedPort } from './forwarder/service-forwarders.js';
import type { LaunchPlan } from './launch/launch-plan.js';
import { checkRunnable } from './launch/resolve-launch.js';
import { ReplicaLogs } from './logs/replica-logs.js';
import { ReplicaNetwork } from './replica-network.js';
import { RuntimePaths } from './runtime-paths.js';
import { AdoptedReplica } from './spawn/adopted-replica.js';
import { ChildReplica } from './spawn/child-replica.js';
import { execProcess } from './spawn/exec-command.js';
import { isProcessAlive, signalGroup } from './spawn/process-group.js';
import type { ReplicaHandle } from './spawn/replica-handle.js';
import { stopReplica } from './spawn/stop-replica.js';
import { portMap, toInstance, transition, type InstanceRecord } from './state/instance-record.js';
import { ReplicaTable } from './state/replica-table.js';

export interface ProcessRuntimeOptions {
  /** The project's state folder (`<project>/.berth`). */
  readonly stateDir: string;
  readonly log?: Logger;
  /** Image adapters (default: postgres and redis, found in the usual places). */
  readonly adapters?: AdapterRegistry;
  /** Log rotation: size of one file, and files kept in all. */
  readonly logMaxBytes?: number;
  readonly logMaxFiles?: number;
  /** Berth's environment, from which replicas inherit PATH, HOME, locale… (default: process.env). */
  readonly hostEnv?: NodeJS.ProcessEnv;
}

/** What the runtime holds for a replica it runs (or watches) in this process. */
interface Live {
  readonly handle: ReplicaHandle;
  readonly plan?: LaunchPlan;
  stopping?: Promise<ExitInfo>;
}

/**
 * The embedded runtime: each replica is a supervised local process (see src/runtime/runtime.ts for the
 * contract). Replicas are spawned detached, each leading its own process group, with stdout/stderr piped into
 * per-replica JSON-lines log files; every replica gets its own ports on 127.0.0.1, and each service a virtual
 * address with TCP forwarders to its running replicas (see ReplicaNetwork). The replica list is durable, so a
 * later berth finds (and can stop) replicas left running by one that died; those are watched by polling /proc,
 * their exit status is unknown, and their output (whose pipes died with the old berth) is lost.
 * Linux only (/proc, 127.0.0.0/8 on loopback).
 */
export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  private readonly log: Logger;
  private readonly paths: RuntimePaths;
  private readonly table: ReplicaTable;
  private readonly live = new Map<InstanceId, Live>();
  private readonly replicaLogs: ReplicaLogs;
  private readonly hub = new EventHub<RuntimeEvent>();
  private readonly network: ReplicaNetwork;
  private readonly starting = new Set<InstanceId>();
  private closed = false;
  private readonly adapters: AdapterRegistry;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.log = options.log ?? silentLogger;
    this.paths = new RuntimePaths(options.stateDir);
    this.table = new ReplicaTable(this.paths.stateFile);
    this.replicaLogs = new ReplicaLogs({ ...(options.logMaxBytes ? { maxBytes: options.logMaxBytes } : {}), ...(options.logMaxFiles ? { maxFiles: options.logMaxFiles } : {}) });
    this.adapters = options.adapters ?? AdapterRegistry.standard();
    this.network = new ReplicaNetwork({
      paths: this.paths, log: this.log, adapters: this.adapters,
      table: this.table, ...(options.hostEnv ? { hostEnv: options.hostEnv } : {}),
    });
  }

  /**
   * Tells the runtime every service of a stack (names, aliases), so that references between services resolve
   * and virtual addresses are collision-free; call it whenever the stack is loaded, before creating replicas.
   * Without it, only services the runtime has seen (and the dependencies they name) are known.
   */
  useStack(stack: Stack): void {
    this.network.useStack(stack);
  }

  /**
   * Throws RUNTIME_UNRUNNABLE (for all such services at once) when a service of the stack cannot run as a local
   * process, so that `up` refuses the stack before starting any of it.
   */
  checkStack(stack: Stack): void {
    const problems = Object.values(stack.services)
      .map((service) => checkRunnable(service, this.adapters))
      .filter((problem): problem is BerthError => problem !== undefined);
    if (problems.length > 0) throw aggregate(problems);
  }

  /** A service's virtual address (its forwarders listen there on its container ports). */
  serviceAddress(stack: string, service: string): string {
    this.load();
    return this.network.addressOf(stack, service);
  }

  /** Where a service's published ports listen (host port as bound, e.g. for `ports: ["0:8000"]`). */
  publishedPorts(stack: string, service: string): readonly PublishedPort[] {
    return this.network.publishedPorts(stack, service);
  }

  async list(stack: StackName): Promise<Instance[]> {
    this.load();
    return this.table.ofStack(stack).map(toInstance);
  }

  async create(spec: InstanceSpec): Promise<Instance> {
    this.load();
    const record = await this.network.createRecord(spec);
    this.table.put(record);
    return toInstance(record);
  }

  async start(id: InstanceId, signal?: AbortSignal): Promise<Instance> {
    this.load();
    const before = this.table.get(id);
    transition(before, 'running');
    if (this.starting.has(id)) throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} is already starting`);
    this.starting.add(id);
    try {
      const plan = this.network.plan(before);
      const writer = this.replicaLogs.writer(before);
      await plan.prepare?.({ log: (stream, line) => writer.write(stream, line), ...(signal ? { signal } : {}) });
      const handle = await ChildReplica.spawn({ plan, onOutput: (records) => writer.writeRecords(records), onOutputClosed: () => this.outputClosed(id) });
      if (this.closed) {
        // Nobody would record or stop it.
        signalGroup(handle.pgid, 'SIGKILL');
        throw new BerthError('RUNTIME_INSTANCE_STATE', `the process runtime closed while replica ${id} was starting`);
      }
      const record = transition(this.table.get(id), 'running', {
        process: { pid: handle.pid, pgid: handle.pgid, ...(handle.startTicks === undefined ? {} : { startTicks: handle.startTicks }) },
        startedAt: Date.now(), exit: undefined,
      });
      this.table.put(record);
      this.watch(id, { handle, plan });
      this.hub.emit({ type: 'started', id, at: record.startedAt ?? Date.now() });
      return toInstance(record);
    } finally {
      this.starting.delete(id);
    }
  }

  async stop(id: InstanceId, how: { readonly signal: NodeJS.Signals; readonly graceMs: number }): Promise<ExitInfo> {
    this.load();
    const record = this.table.get(id);
    const live = this.live.get(id);
    if (record.state !== 'running' || !live) return record.exit ?? { code: null, signal: null, at: Date.now() };
    live.stopping ??= (async () => {
      const stopSignal = how.signal === 'SIGTERM' ? (live.plan ?? this.network.tryPlan(record))?.stopSignal ?? how.signal : how.signal;
      const exit = await stopReplica(live.handle, { signal: stopSignal, graceMs: how.graceMs }, this.log);
      this.exited(id, live.handle, exit);
      return exit;
    })();
    return live.stopping;
  }

  async remove(id: InstanceId): Promise<void> {
    this.load();
    const record = this.table.get(id);
    if (record.state === 'running' || this.starting.has(id)) {
      throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} is ${record.state === 'running' ? 'running' : 'starting'}; it cannot be removed`, { hint: 'stop it first' });
    }
    this.table.delete(id);
    this.live.delete(id);
    this.replicaLogs.delete(record);
    await rm(this.paths.runDir(id), { recursive: true, force: true });
    await this.network.released(record);
  }

  async exec(id: InstanceId, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
    this.load();
    const record = this.table.get(id);
    if (record.state !== 'running') {
      throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} is ${record.state}; commands run only in a running replica`, { hint: 'start it first' });
    }
    const plan = this.live.get(id)?.plan ?? this.network.plan(record);
    const rewritten = rewriteProbe(command, portMap(record), this.network.ownNames(record.spec.service));
    return execProcess({
      command: plan.probeRewrite ? plan.probeRewrite(rewritten) : rewritten,
      env: { ...plan.env, ...plan.probeEnv, ...options.env },
      cwd: plan.cwd, ...(plan.user ? { user: plan.user } : {}), timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  logs(id: InstanceId, options: LogOptions): AsyncIterable<LogLine> {
    return this.readLogs(id, options);
  }

  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return this.hub.subscribe(signal);
  }

  /**
   * Stops every recorded replica of the stack (of every stack when omitted) that still runs, with its service's
   * stop signal and grace period, then forgets them all (records, logs, ports): what `berth down` and a new
   * daemon do with replicas a dead berth left behind. Resolves with the number that were running.
   */
  async stopOrphans(stack?: StackName): Promise<number> {
    this.load();
    const records = this.table.ofStack(stack);
    const running = records.filter((r) => r.state === 'running');
    await Promise.all(running.map((r) => this.stop(r.id, { signal: asSignal(r.spec.service.stopSignal), graceMs: r.spec.service.stopGracePeriodMs })));
    for (const record of records) await this.remove(record.id);
    return running.length;
  }

  /** Stops forwarders and event streams; replicas keep running (their output is still drained into their logs). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.table.frozen = true;
    this.hub.close();
    for (const [id, live] of this.live) {
      live.handle.detach();
      if (live.handle.outputClosed()) this.replicaLogs.close(id);
    }
    await this.network.close();
  }

  private load(): void {
    if (this.closed) throw new BerthError('RUNTIME_INSTANCE_STATE', 'the process runtime is closed');
    this.table.load((records) => {
      this.network.reserve(records);
      for (const record of records) if (record.state === 'running') this.adopt(record);
    });
  }

  /** A replica recorded as running by an earlier berth: watched if it still runs, else marked exited. */
  private adopt(record: InstanceRecord): void {
    const proc = record.process;
    if (proc && isProcessAlive(proc.pid, proc.startTicks)) {
      this.watch(record.id, { handle: new AdoptedReplica(proc.pid, proc.startTicks) });
      return;
    }
    this.table.put(transition(record, 'exited', { exit: { code: null, signal: null, at: Date.now() } }));
  }

  private watch(id: InstanceId, live: Live): void {
    this.live.set(id, live);
    void live.handle.exited.then((exit) => this.exited(id, live.handle, exit));
  }

  /** Records an exit once (whoever notices first: the watcher or stop) and reports it. */
  private exited(id: InstanceId, handle: ReplicaHandle, exit: ExitInfo): void {
    const record = this.table.find(id);
    if (this.closed || !record || record.state !== 'running' || record.process?.pid !== handle.pid) return;
    this.table.put(transition(record, 'exited', { exit }));
    this.hub.emit({ type: 'exited', id, exit });
    this.replicaLogs.wake(id);
  }

  private outputClosed(id: InstanceId): void {
    if (this.closed) this.replicaLogs.close(id);
    this.replicaLogs.wake(id);
  }

  private async *readLogs(id: InstanceId, options: LogOptions): AsyncGenerator<LogLine> {
    this.load();
    yield* this.replicaLogs.read(this.table.get(id), options, () => {
      const now = this.table.find(id);
      return !now || (now.state !== 'running' && (this.live.get(id)?.handle.outputClosed() ?? true));
    });
  }
}

function asSignal(name: string): NodeJS.Signals {
  return (/^SIG[A-Z0-9]+$/.test(name) ? name : 'SIGTERM') as NodeJS.Signals;
}
