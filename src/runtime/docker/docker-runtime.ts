import type Docker from 'dockerode';
import { BerthError } from '../../errors.js';
import type { InstanceId, StackName } from '../../model/ids.js';
import type { ExecCommand, ExecOptions, ExecResult, ExitInfo, Instance, InstanceSpec, LogLine, LogOptions, Runtime, RuntimeEvent } from '../runtime.js';
import { containerConfig, imageOf, LABELS } from './container-config.js';
import { exitOf, instanceOf, isBerthContainer, stateOf } from './container-instance.js';
import { engineAddress, engineClient } from './engine-client.js';
import type { EngineCall } from './engine-error.js';
import { engineError, hasStatus } from './engine-error.js';
import { engineEvents } from './event-stream.js';
import { execInContainer } from './exec-command.js';
import { containerLogs } from './log-stream.js';
import { waitStopped } from './wait-stopped.js';

/** After SIGKILL, how long the Engine may take to record the container as stopped. */
const KILL_DEADLINE_MS = 30_000;

export interface DockerRuntimeOptions {
  /** An Engine client; by default one pinned to API 1.41 that honours DOCKER_HOST. */
  readonly docker?: Docker;
}

/**
 * Runs replicas as Docker containers through the Engine API (never the docker CLI). One container per replica,
 * named `<stack>-<service>-<replica>` with compose's labels plus `dev.berth.stack` and the InstanceSpec in
 * `dev.berth.spec`, so `list()` finds them (and their specs) again after berth restarts: the Engine is the durable
 * state. Instance ids are container ids. Declared container ports are published on 127.0.0.1, ephemeral.
 * It does not pull or build images, create networks or volumes, or restart containers (policy `no`).
 */
export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  private readonly docker: Docker;
  private readonly address: string;
  private readonly streams = new Set<AbortController>();
  private closed = false;

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker = options.docker ?? engineClient();
    this.address = engineAddress(this.docker);
  }

  async list(stack: StackName, signal?: AbortSignal): Promise<Instance[]> {
    this.assertOpen();
    const call = { code: 'RUNTIME_STATE' as const, what: `list the containers of stack ${stack}` };
    const filters = JSON.stringify({ label: [`${LABELS.stack}=${stack}`] });
    const summaries = await this.docker.listContainers({ all: true, filters, ...(signal ? { abortSignal: signal } : {}) })
      .catch((error: unknown) => { throw this.fail(error, call); });
    const found = await Promise.all(summaries.map(async (summary) => {
      try {
        return instanceOf(await this.docker.getContainer(summary.Id).inspect());
      } catch (error) {
        if (hasStatus(error, 404)) return undefined; // removed between the list and the inspect
        throw this.fail(error, call);
      }
    }));
    return found.filter((instance): instance is Instance => instance !== undefined);
  }

  async create(spec: InstanceSpec, signal?: AbortSignal): Promise<Instance> {
    this.assertOpen();
    const what = `create replica ${spec.replica} of ${spec.stack}/${spec.service.name}`;
    try {
      const container = await this.docker.createContainer({ ...containerConfig(spec), ...(signal ? { abortSignal: signal } : {}) });
      return instanceOf(await container.inspect());
    } catch (error) {
      throw this.fail(error, { code: 'RUNTIME_START_FAILED', what, image: imageOf(spec) });
    }
  }

  async start(id: InstanceId, signal?: AbortSignal): Promise<Instance> {
    const info = await this.inspect(id, 'start');
    if (stateOf(info.State) === 'running') {
      throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} is already running`, { hint: 'stop it first' });
    }
    const call = { code: 'RUNTIME_START_FAILED' as const, what: `start replica ${id}`, image: info.Config.Image };
    try {
      await this.docker.getContainer(info.Id).start(signal ? { abortSignal: signal } : {});
    } catch (error) {
      throw this.fail(error, call);
    }
    return instanceOf(await this.inspect(id, 'start'));
  }

  async stop(id: InstanceId, how: { readonly signal: NodeJS.Signals; readonly graceMs: number }): Promise<ExitInfo> {
    const info = await this.inspect(id, 'stop');
    const container = this.docker.getContainer(info.Id);
    const call = { code: 'RUNTIME_INSTANCE_STATE' as const, what: `stop replica ${id}` };
    try {
      if (stateOf(info.State) === 'running') {
        await this.kill(container, how.signal);
        if (!(await waitStopped(container, how.graceMs))) {
          await this.kill(container, 'SIGKILL');
          if (!(await waitStopped(container, KILL_DEADLINE_MS))) {
            throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} did not stop within ${KILL_DEADLINE_MS} ms of SIGKILL`);
          }
        }
      }
    } catch (error) {
      throw this.fail(error, call);
    }
    return exitOf((await this.inspect(id, 'stop')).State) ?? { code: null, signal: null, at: Date.now() };
  }

  async remove(id: InstanceId): Promise<void> {
    const info = await this.inspect(id, 'remove');
    if (stateOf(info.State) === 'running') {
      throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} is running; it cannot be removed`, { hint: 'stop it first' });
    }
    try {
      await this.docker.getContainer(info.Id).remove({ force: false, v: false });
    } catch (error) {
      throw this.fail(error, { code: 'RUNTIME_INSTANCE_STATE', what: `remove replica ${id}` });
    }
  }

  async exec(id: InstanceId, command: ExecCommand, options: ExecOptions): Promise<ExecResult> {
    const info = await this.inspect(id, 'exec');
    const state = stateOf(info.State);
    if (state !== 'running') {
      throw new BerthError('RUNTIME_INSTANCE_STATE', `replica ${id} is ${state}; commands run only in a running replica`, { hint: 'start it first' });
    }
    try {
      return await execInContainer(this.docker.getContainer(info.Id), command, options);
    } catch (error) {
      throw this.fail(error, { code: 'RUNTIME_INSTANCE_STATE', what: `run a command in replica ${id}` });
    }
  }

  async *logs(id: InstanceId, options: LogOptions): AsyncGenerator<LogLine> {
    const info = await this.inspect(id, 'read the logs of');
    const source = instanceOf(info);
    const abort = this.track(options.signal);
    try {
      yield* containerLogs(this.docker, { id: source.id, service: source.service, replica: source.replica }, { ...options, signal: abort.signal });
    } catch (error) {
      throw this.fail(error, { code: 'RUNTIME_STATE', what: `read the logs of replica ${id}` });
    } finally {
      this.untrack(abort);
    }
  }

  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    this.assertOpen();
    // Taken now, not at the first next(): events between this call and the first read are replayed by the Engine.
    const since = Date.now();
    const abort = this.track(signal);
    const docker = this.docker;
    const untrack = (): void => this.untrack(abort);
    const fail = (error: unknown): BerthError => this.fail(error, { code: 'RUNTIME_STATE', what: 'follow the Docker events' });
    return (async function* events(): AsyncGenerator<RuntimeEvent> {
      try {
        yield* engineEvents(docker, since, abort.signal);
      } catch (error) {
        throw fail(error);
      } finally {
        untrack();
      }
    })();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const abort of this.streams) abort.abort();
    this.streams.clear();
  }

  /** The container behind an id, if it is one of berth's; `what` words the error. */
  private async inspect(id: InstanceId, what: string): Promise<Docker.ContainerInspectInfo> {
    this.assertOpen();
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (error) {
      throw this.fail(error, { code: 'RUNTIME_STATE', what: `${what} replica ${id}` });
    }
    if (!isBerthContainer(info)) throw new BerthError('RUNTIME_UNKNOWN_INSTANCE', `cannot ${what} replica ${id}: no such replica`);
    return info;
  }

  private fail(error: unknown, call: EngineCall): BerthError {
    return engineError(error, { ...call, address: this.address });
  }

  /** Sends a signal; a container that stopped meanwhile (409) is not an error. */
  private async kill(container: Docker.Container, signal: NodeJS.Signals): Promise<void> {
    try {
      await container.kill({ signal });
    } catch (error) {
      if (!hasStatus(error, 409)) throw error;
    }
  }

  private track(outer: AbortSignal | undefined): AbortController {
    const abort = new AbortController();
    if (outer?.aborted) abort.abort();
    outer?.addEventListener('abort', () => abort.abort(), { once: true });
    this.streams.add(abort);
    return abort;
  }

  private untrack(abort: AbortController): void {
    abort.abort();
    this.streams.delete(abort);
  }

  private assertOpen(): void {
    if (this.closed) throw new BerthError('RUNTIME_INSTANCE_STATE', 'the docker runtime is closed');
  }
}

