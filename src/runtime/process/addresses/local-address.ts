/** Where a replica really listens: its own port on this host address. */
export const REPLICA_HOST = '127.0.0.1';

/** Hosts that mean "every interface" in a listen address. */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '*', '']);
/** Hosts that mean "this machine" (inside a container: this container). */
const LOOPBACKS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Container port → the replica's own port. */
export type PortMap = ReadonlyMap<number, number>;

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}

export function isLocalHost(host: string, ownNames: ReadonlySet<string> = new Set()): boolean {
  return WILDCARDS.has(host) || LOOPBACKS.has(host) || ownNames.has(host);
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` → parts; undefined when the token is not one. */
export function parseHostPort(token: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9_.*-]*):(\d{1,5})$/.exec(token);
  if (!match) return undefined;
  return { host: match[1] as string, port: Number(match[2]) };
}

/**
 * A listen or connect address of this replica written for its container (`0.0.0.0:8000`, `:8000`,
 * `localhost:8000`, `[::]:8000`) → the replica's own (`127.0.0.1:<its port>`; a named host is kept).
 * Undefined when the token is not such an address or its port is not a container port of the service.
 */
export function rewriteLocalHostPort(token: string, ports: PortMap, ownNames?: ReadonlySet<string>): string | undefined {
  const parsed = parseHostPort(token);
  if (!parsed || !isLocalHost(parsed.host, ownNames)) return undefined;
  const port = ports.get(parsed.port);
  if (port === undefined) return undefined;
  const host = isWildcardHost(parsed.host) || parsed.host === '[::1]' || parsed.host === '::1' || ownNames?.has(parsed.host) ? REPLICA_HOST : parsed.host;
  return `${host}:${port}`;
}

/** A container port written as a bare number → the replica's port, if it is one of the service's. */
export function rewritePortNumber(token: string, ports: PortMap): string | undefined {
  if (!/^\d{1,5}$/.test(token)) return undefined;
  const port = ports.get(Number(token));
  return port === undefined ? undefined : String(port);
}
