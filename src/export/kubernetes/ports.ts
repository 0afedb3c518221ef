import type { Protocol, Service } from '../../model/stack.js';
import { wellKnownPort } from './well-known-ports.js';

/** One port the container listens on, from `ports:` targets and `expose:`, deduplicated. */
export interface ContainerPort {
  readonly port: number;
  readonly protocol: Protocol;
  /** A valid IANA_SVC_NAME (≤ 15 chars): `tcp-8000`. */
  readonly name: string;
}

const EXPOSE = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/;

/**
 * The service's container ports in the order compose lists them (`ports:` first, then `expose:`); with neither, the
 * image's standard port when it is a well-known one (see inferredPort).
 */
export function containerPorts(service: Service): ContainerPort[] {
  const found = new Map<string, ContainerPort>();
  const add = (port: number, protocol: Protocol): void => {
    const name = `${protocol}-${port}`;
    if (!found.has(name)) found.set(name, { port, protocol, name });
  };
  for (const mapping of service.ports) add(mapping.target, mapping.protocol);
  for (const entry of service.expose) {
    const match = EXPOSE.exec(entry.trim());
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let port = first; port <= last; port++) add(port, (match[3] ?? 'tcp') as Protocol);
  }
  const inferred = found.size === 0 ? inferredPort(service) : undefined;
  if (inferred !== undefined) add(inferred, 'tcp');
  return [...found.values()];
}

/** The container port of the first TCP port, which routes and probes aim at when they name none. */
export function mainPort(service: Service): number | undefined {
  return containerPorts(service).find((p) => p.protocol === 'tcp')?.port;
}

/** The port a service without `ports:`/`expose:` is taken to listen on (postgres → 5432, …), if its image is known. */
export function inferredPort(service: Service): number | undefined {
  return service.ports.length === 0 && service.expose.length === 0 ? wellKnownPort(service.image) : undefined;
}
