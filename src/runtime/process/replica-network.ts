import type { Logger } from '../../log/logger.js';
import type { Service, Stack } from '../../model/stack.js';
import type { Endpoint, InstanceSpec } from '../runtime.js';
import { containerPorts } from './addresses/container-ports.js';
import { REPLICA_HOST } from './addresses/local-address.js';
import { PortAllocator } from './addresses/port-allocator.js';
import { directoryEntry, ServiceDirectory, type DirectoryService } from './addresses/service-addresses.js';
import type { AdapterRegistry } from './adapters/registry.js';
import { ServiceForwarders, type PublishedPort } from './forwarder/service-forwarders.js';
import type { LaunchPlan } from './launch/launch-plan.js';
import { isRoot } from './launch/os-user.js';
import { adapterFor, resolveLaunch } from './launch/resolve-launch.js';
import type { RuntimePaths } from './runtime-paths.js';
import type { InstanceRecord } from './state/instance-record.js';
import { heldPorts, portMap } from './state/instance-record.js';
import type { ReplicaTable } from './state/replica-table.js';

export interface ReplicaNetworkOptions {
  readonly paths: RuntimePaths;
  readonly log: Logger;
  readonly adapters: AdapterRegistry;
  readonly table: ReplicaTable;
  readonly hostEnv?: NodeJS.ProcessEnv;
}

/**
 * Addresses and launch plans of replicas: the ports each replica gets, the services' virtual addresses and
 * their forwarders (started with a service's first replica, closed with its last), and how each replica is run.
 */
export class ReplicaNetwork {
  private readonly ports = new PortAllocator();
  private readonly forwarders: ServiceForwarders;
  private readonly stacks = new Map<string, ServiceDirectory>();

  constructor(private readonly options: ReplicaNetworkOptions) {
    this.forwarders = new ServiceForwarders(options.log);
  }

  useStack(stack: Stack): void {
    this.stacks.set(stack.name, ServiceDirectory.fromStack(stack, this.seedFor(stack.name)));
  }

  /** Service addresses are seeded by the project's state dir: same-named projects get different addresses. */
  private seedFor(stack: string): string {
    return `${this.options.paths.stateDir}\0${stack}`;
  }

  addressOf(stack: string, service: string): string {
    return this.directory(stack, []).addressOf(service);
  }

  publishedPorts(stack: string, service: string): readonly PublishedPort[] {
    return this.forwarders.publishedPorts(stack, service);
  }

  /** Ports of recorded replicas stay theirs. */
  reserve(records: readonly InstanceRecord[]): void {
    this.ports.reserve(records.flatMap(heldPorts));
  }

  /**
   * A new replica's record: its ports allocated, its launch plan checked (RUNTIME_UNRUNNABLE,
   * RUNTIME_MISSING_BINARY), its service's forwarders listening (RUNTIME_PORT_IN_USE). Nothing is kept on failure.
   */
  async createRecord(spec: InstanceSpec): Promise<InstanceRecord> {
    const adapter = adapterFor(spec.service, this.options.adapters);
    const wanted = containerPorts(spec.service, adapter?.adapter.defaultPorts ?? []);
    const ports = await this.ports.allocate(Math.max(1, wanted.length));
    const id = this.options.paths.newInstanceId(spec);
    const record: InstanceRecord = {
      id, stack: spec.stack, service: spec.service.name, replica: spec.replica, state: 'created',
      ports: wanted.map((containerPort, i) => [containerPort, ports[i] as number] as const),
      ...(wanted.length === 0 ? { privatePort: ports[0] as number } : {}),
      logFile: this.options.paths.logFile(spec.stack, id), spec, createdAt: Date.now(),
    };
    try {
      this.plan(record);
      await this.forwarders.ensure({
        stack: spec.stack, service: spec.service.name, address: this.addressOf(spec.stack, spec.service.name),
        containerPorts: wanted, published: spec.service.ports, backends: (port) => this.backends(spec.stack, spec.service.name, port),
      });
    } catch (error) {
      this.ports.release(ports);
      if (this.options.table.ofService(spec.stack, spec.service.name).length === 0) await this.forwarders.release(spec.stack, spec.service.name);
      throw error;
    }
    return record;
  }

  /** How to run a recorded replica (resolved afresh, so that it sees the current stack). */
  plan(record: InstanceRecord): LaunchPlan {
    const { spec } = record;
    return resolveLaunch(spec, {
      stateDir: this.options.paths.stateDir,
      ports: portMap(record),
      ...(record.privatePort === undefined ? {} : { privatePort: record.privatePort }),
      directory: this.directory(spec.stack, [directoryEntry(spec.service), ...referencedServices(spec.service)]),
      adapters: this.options.adapters,
      runDir: this.options.paths.runDir(record.id),
      mountRoots: this.options.paths.mountRoots(spec),
      root: isRoot(),
      log: this.options.log,
      ...(this.options.hostEnv ? { hostEnv: this.options.hostEnv } : {}),
    });
  }

  tryPlan(record: InstanceRecord): LaunchPlan | undefined {
    try {
      return this.plan(record);
    } catch {
      return undefined;
    }
  }

  /** Names a service answers to inside its own container. */
  ownNames(service: Service): Set<string> {
    const entry = directoryEntry(service);
    return new Set([entry.name, ...entry.aliases]);
  }

  /** After a replica is removed: its ports go back, and its service's forwarders close with its last replica. */
  async released(record: InstanceRecord): Promise<void> {
    this.ports.release(heldPorts(record));
    if (this.options.table.ofService(record.stack, record.service).length === 0) await this.forwarders.release(record.stack, record.service);
  }

  close(): Promise<void> {
    return this.forwarders.closeAll();
  }

  private backends(stack: string, service: string, containerPort: number): Endpoint[] {
    return this.options.table.ofService(stack, service)
      .filter((r) => r.state === 'running')
      .sort((a, b) => a.replica - b.replica)
      .flatMap((r) => r.ports.filter(([c]) => c === containerPort).map(([, port]) => ({ host: REPLICA_HOST, port })));
  }

  /** The stack's directory (from useStack), plus services the runtime has seen and those they refer to. */
  private directory(stack: string, extra: readonly DirectoryService[]): ServiceDirectory {
    const base = this.stacks.get(stack) ?? new ServiceDirectory(stack, [], this.seedFor(stack));
    const seen = this.options.table.all().filter((r) => r.stack === stack).map((r) => directoryEntry(r.spec.service));
    return base.with([...seen, ...extra]);
  }
}

/** Services a service names: its dependencies and links (known without the whole stack). */
function referencedServices(service: Service): DirectoryService[] {
  const links = Array.isArray(service.other.links) ? service.other.links.filter((l): l is string => typeof l === 'string') : [];
  const linked = links.map((link) => {
    const [name = '', alias] = link.split(':');
    return { name, aliases: alias ? [alias] : [] };
  });
  return [...Object.keys(service.dependsOn).map((name) => ({ name, aliases: [] })), ...linked];
}
