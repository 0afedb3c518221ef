import type { Service, Stack } from '../../../model/stack.js';

/** Virtual service addresses live in 127.77.0.0/16: loopback, so Linux lets any user listen on them. */
const PREFIX = '127.77';
const SLOTS = 254 * 254;

export interface DirectoryService {
  readonly name: string;
  /** Other names the service answers to: network aliases, `hostname`, `container_name`. */
  readonly aliases: readonly string[];
}

/**
 * The stable virtual address of each service of a stack, and the names that resolve to it. The address is
 * derived from a hash of a seed and the service name (so it does not change when services are added or removed).
 * The seed defaults to the stack name; the runtime passes its state dir, so that two projects with the same name
 * and services (two checkouts of one repository) rarely overlap; two services of one stack that hash to the same address are separated by
 * probing in sorted-name order. Names of services the directory does not know still get their hashed address.
 */
export class ServiceDirectory {
  private readonly addresses = new Map<string, string>();
  private readonly names = new Map<string, string>();

  constructor(readonly stack: string, services: readonly DirectoryService[], readonly seed: string = stack) {
    const taken = new Set<number>();
    const sorted = [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const service of sorted) {
      let slot = hashSlot(seed, service.name);
      while (taken.has(slot)) slot = (slot + 1) % SLOTS;
      taken.add(slot);
      this.addresses.set(service.name, slotAddress(slot));
      this.names.set(service.name, service.name);
    }
    for (const service of sorted) {
      for (const alias of service.aliases) if (!this.names.has(alias)) this.names.set(alias, service.name);
    }
  }

  static fromStack(stack: Stack, seed: string = stack.name): ServiceDirectory {
    return new ServiceDirectory(stack.name, Object.values(stack.services).map(directoryEntry), seed);
  }

  /** The virtual address of a service. */
  addressOf(service: string): string {
    return this.addresses.get(service) ?? slotAddress(hashSlot(this.seed, service));
  }

  /** The service a host name refers to (a service name or an alias), if any. */
  serviceFor(host: string): string | undefined {
    return this.names.get(host);
  }

  /** The virtual address for a host name that names a service of the stack. */
  resolve(host: string): string | undefined {
    const service = this.serviceFor(host);
    return service === undefined ? undefined : this.addressOf(service);
  }

  /** A directory that also knows the given services (those it knew keep their entries). */
  with(services: readonly DirectoryService[]): ServiceDirectory {
    const known = new Map<string, DirectoryService>();
    for (const [name] of this.addresses) known.set(name, { name, aliases: this.aliasesOf(name) });
    for (const service of services) {
      const before = known.get(service.name);
      known.set(service.name, { name: service.name, aliases: [...new Set([...(before?.aliases ?? []), ...service.aliases])] });
    }
    return new ServiceDirectory(this.stack, [...known.values()], this.seed);
  }

  private aliasesOf(service: string): string[] {
    return [...this.names].filter(([alias, name]) => name === service && alias !== service).map(([alias]) => alias);
  }
}

export function directoryEntry(service: Service): DirectoryService {
  const aliases = Object.values(service.networks).flatMap((n) => n.aliases);
  if (service.hostname) aliases.push(service.hostname);
  if (service.containerName) aliases.push(service.containerName);
  return { name: service.name, aliases };
}

/** FNV-1a over `stack NUL service`, reduced to a slot of 127.77.1.1 … 127.77.254.254. */
function hashSlot(stack: string, service: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`${stack}\0${service}`, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SLOTS;
}

function slotAddress(slot: number): string {
  return `${PREFIX}.${1 + Math.floor(slot / 254)}.${1 + (slot % 254)}`;
}
