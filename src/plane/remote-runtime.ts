import type { InstanceId, StackName } from '../model/ids.js';
import type { Stack } from '../model/stack.js';
import type { PublishedPort } from '../runtime/process/forwarder/service-forwarders.js';
import type {
  ExecCommand, ExecOptions, ExecResult, ExitInfo, Instance, InstanceSpec, LogLine, LogOptions, Runtime, RuntimeEvent,
} from '../runtime/runtime.js';
import type { PlaneCalls, PlaneStreams } from './plane-protocol.js';
import type { RpcClient } from './rpc-client.js';

/**
 * The data plane's ProcessRuntime seen from the daemon: every Runtime method, and the extras the daemon uses, as
 * calls over the plane's socket (same contract as ProcessRuntime, see src/runtime/runtime.ts). Differences:
 * `checkStack`/`useStack` are async; `close()` closes the connection only (the plane, its runtime and its
 * replicas keep running); events emitted while no client is connected are not replayed (read `list()` again).
 * When the connection is lost, calls and open streams fail with DAEMON_UNREACHABLE.
 */
export class RemoteRuntime implements Runtime {
  readonly kind = 'process' as const;

  constructor(private readonly rpc: RpcClient) {}

  list(stack: StackName, signal?: AbortSignal): Promise<Instance[]> {
    return this.call('runtime.list', { stack }, signal);
  }

  create(spec: InstanceSpec, signal?: AbortSignal): Promise<Instance> {
    return this.call('runtime.create', { spec }, signal);
  }

  start(id: InstanceId, signal?: AbortSignal): Promise<Instance> {
    return this.call('runtime.start', { id }, signal);
  }

  stop(id: InstanceId, how: { readonly signal: NodeJS.Signals; readonly graceMs: number }): Promise<ExitInfo> {
    return this.call('runtime.stop', { id, how: { signal: how.signal, graceMs: how.graceMs } });
  }

  remove(id: InstanceId): Promise<void> {
    return this.call('runtime.remove', { id });
  }

  exec(id: InstanceId, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
    return this.call('runtime.exec', { id, command, timeoutMs: options.timeoutMs, ...(options.env ? { env: options.env } : {}) }, options.signal);
  }

  logs(id: InstanceId, options: LogOptions): AsyncIterable<LogLine> {
    return this.readLogs(id, options);
  }

  /** Subscribes at once: events from this call on are delivered (in order with the results of later calls). */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return this.subscribe('runtime.events', {}, signal);
  }

  /** As ProcessRuntime.checkStack (RUNTIME_UNRUNNABLE), but async. */
  async checkStack(stack: Stack): Promise<void> {
    await this.call('runtime.checkStack', { stack });
  }

  /** As ProcessRuntime.useStack, but async. */
  async useStack(stack: Stack): Promise<void> {
    await this.call('runtime.useStack', { stack });
  }

  stopOrphans(stack?: StackName): Promise<number> {
    return this.call('runtime.stopOrphans', stack === undefined ? {} : { stack });
  }

  serviceAddress(stack: string, service: string): Promise<string> {
    return this.call('runtime.serviceAddress', { stack, service });
  }

  publishedPorts(stack: string, service: string): Promise<readonly PublishedPort[]> {
    return this.call('runtime.publishedPorts', { stack, service });
  }

  /** Closes the connection to the plane; the plane and its replicas keep running. */
  close(): Promise<void> {
    return this.rpc.close();
  }

  private async *readLogs(id: InstanceId, options: LogOptions): AsyncGenerator<LogLine> {
    const { signal, ...rest } = options;
    // Without a caller's signal the stream still needs one: the subscription is cancelled when iteration stops.
    const abort = new AbortController();
    const forward = (): void => abort.abort();
    if (signal?.aborted) return;
    signal?.addEventListener('abort', forward, { once: true });
    try {
      yield* this.subscribe<'runtime.logs', LogLine>('runtime.logs', { id, options: rest }, abort.signal);
    } finally {
      signal?.removeEventListener('abort', forward);
      abort.abort();
    }
  }

  private call<M extends keyof PlaneCalls, T>(method: M, params: PlaneCalls[M], signal?: AbortSignal): Promise<T> {
    return this.rpc.call<T>(method, params, signal);
  }

  private subscribe<M extends keyof PlaneStreams, T>(method: M, params: PlaneStreams[M], signal: AbortSignal): AsyncIterable<T> {
    return this.rpc.subscribe<T>(method, params, signal);
  }
}
