import os from 'node:os';
import type { Logger } from '../../../log/logger.js';
import type { PortMapping } from '../../../model/stack.js';
import type { Endpoint } from '../../runtime.js';
import { TcpForwarder } from './tcp-forwarder.js';

export interface ServiceForwarding {
  readonly stack: string;
  readonly service: string;
  /** The service's virtual address. */
  readonly address: string;
  readonly containerPorts: readonly number[];
  /** The service's `ports:` (only TCP entries are published). */
  readonly published: readonly PortMapping[];
  /** Running replicas' endpoints for a container port. */
  readonly backends: (containerPort: number) => readonly Endpoint[];
}

/** A published port as berth listens on it. */
export interface PublishedPort {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

/**
 * The addresses a published port listens on. A wildcard (`0.0.0.0`, `::`) is expanded into 127.0.0.1 (or ::1) and
 * every address of the host's other interfaces: a socket on the wildcard itself would also hold the port on every
 * loopback address, including the services' virtual addresses (127.77.x.y), so `8000:8000` could never coexist with
 * a service listening on container port 8000. Reachability is the same as compose's, for the interfaces present at
 * start.
 */
export function concreteAddresses(hostIp: string, interfaces = os.networkInterfaces()): string[] {
  const family = hostIp === '0.0.0.0' ? 'IPv4' : hostIp === '::' ? 'IPv6' : undefined;
  if (!family) return [hostIp];
  const external = Object.values(interfaces).flat()
    .filter((i): i is os.NetworkInterfaceInfo => Boolean(i) && !i!.internal && i!.family === family)
    .map((i) => i.address)
    .filter((address) => !address.toLowerCase().startsWith('fe80:')); // link-local needs a scope id
  return [family === 'IPv4' ? '127.0.0.1' : '::1', ...new Set(external)];
}

interface Entry {
  readonly forwarders: Map<string, TcpForwarder>;
  readonly publishedPorts: PublishedPort[];
}

/**
 * The forwarders of each service: one on its virtual address per container port, and one per published port
 * (`8000:8000` on every address as compose does — see concreteAddresses —, `127.0.0.1:9000:8000` on the given address; a range takes its first
 * free port; no host port = any free port). Started with a service's first replica, closed with its last.
 */
export class ServiceForwarders {
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  /** Starts what is not running yet for this service; a failure leaves what was started before it running. */
  ensure(forwarding: ServiceForwarding): Promise<void> {
    const key = keyOf(forwarding.stack, forwarding.service);
    return this.locked(key, async () => {
      const entry = this.entries.get(key) ?? { forwarders: new Map<string, TcpForwarder>(), publishedPorts: [] };
      this.entries.set(key, entry);
      for (const port of forwarding.containerPorts) {
        await this.open(entry, `vip:${port}`, {
          host: forwarding.address, port, backends: () => forwarding.backends(port), label: `service ${forwarding.service}'s address, port ${port}`,
          // A listener on 0.0.0.0:<port> also holds the port on every loopback address, the service's included.
          inUseHint: `another program listens on port ${port} on all addresses (\`ss -ltnp 'sport = :${port}'\` shows it); stop it or make it listen on 127.0.0.1 only`,
        });
      }
      for (const mapping of forwarding.published) await this.publish(entry, forwarding, mapping);
    });
  }

  publishedPorts(stack: string, service: string): readonly PublishedPort[] {
    return this.entries.get(keyOf(stack, service))?.publishedPorts ?? [];
  }

  release(stack: string, service: string): Promise<void> {
    const key = keyOf(stack, service);
    return this.locked(key, async () => {
      const entry = this.entries.get(key);
      this.entries.delete(key);
      if (entry) await Promise.all([...entry.forwarders.values()].map((f) => f.close()));
    });
  }

  async closeAll(): Promise<void> {
    const keys = [...this.entries.keys()];
    await Promise.all(keys.map((key) => {
      const [stack = '', service = ''] = key.split('\0');
      return this.release(stack, service);
    }));
  }

  private async publish(entry: Entry, forwarding: ServiceForwarding, mapping: PortMapping): Promise<void> {
    const id = `pub:${mapping.hostIp ?? ''}:${mapping.published ?? ''}:${mapping.target}:${mapping.protocol}`;
    if (entry.forwarders.has(id)) return;
    if (mapping.protocol !== 'tcp') {
      this.log.warn('only TCP ports are published by the process runtime', { service: forwarding.service, port: mapping.target, protocol: mapping.protocol });
      return;
    }
    const hostIp = (mapping.hostIp ?? '0.0.0.0').replace(/^\[(.*)\]$/, '$1');
    const addresses = concreteAddresses(hostIp);
    const candidates = hostPorts(mapping.published);
    for (const [i, candidate] of candidates.entries()) {
      const opened: string[] = [];
      try {
        let port = candidate;
        for (const address of addresses) {
          const key = `${id}@${address}`;
          const forwarder = await this.open(entry, key, {
            host: address, port, backends: () => forwarding.backends(mapping.target), label: `service ${forwarding.service}, published port ${mapping.published ?? port}`,
          });
          opened.push(key);
          port = forwarder.port; // an ephemeral port chosen on the first address is used on the others too
        }
        entry.publishedPorts.push({ hostIp, hostPort: port, containerPort: mapping.target });
        return;
      } catch (error) {
        await Promise.all(opened.map((key) => { const f = entry.forwarders.get(key); entry.forwarders.delete(key); return f?.close(); }));
        if (i === candidates.length - 1) throw error;
      }
    }
  }

  private async open(entry: Entry, id: string, options: ConstructorParameters<typeof TcpForwarder>[0]): Promise<TcpForwarder> {
    const existing = entry.forwarders.get(id);
    if (existing) return existing;
    const forwarder = new TcpForwarder(options);
    await forwarder.start();
    entry.forwarders.set(id, forwarder);
    return forwarder;
  }

  private locked<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.locks.set(key, next);
    void next.finally(() => {
      if (this.locks.get(key) === next) this.locks.delete(key);
    }).catch(() => undefined);
    return next;
  }
}

/** `"8000"` → [8000]; `"8000-8002"` → [8000, 8001, 8002]; absent → [0] (any free port). */
function hostPorts(published: string | undefined): number[] {
  if (published === undefined || published === '') return [0];
  const [from, to] = published.split('-').map(Number);
  if (from === undefined || !Number.isInteger(from)) return [0];
  if (to === undefined || !Number.isInteger(to) || to < from) return [from];
  return Array.from({ length: Math.min(to - from + 1, 1000) }, (_, i) => from + i);
}

function keyOf(stack: string, service: string): string {
  return `${stack}\0${service}`;
}
