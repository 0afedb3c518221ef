import { rewriteServiceReferences, type HostResolver } from './host-references.js';
import { rewritePortNumber, type PortMap } from './local-address.js';

export interface EnvRewriteContext {
  readonly resolve: HostResolver;
  /** This replica's ports, by container port. */
  readonly ports: PortMap;
}

/**
 * Variables whose value is a name, a credential or a setting, never a host: a value that happens to equal a
 * service name (`POSTGRES_USER=postgres` beside a service called `postgres`) is not an address there.
 */
const NOT_A_HOST = /(^|_)(USER|USERNAME|LOGIN|PASSWORD|PASS|PASSWD|PWD|DB|DATABASE|DBNAME|NAME|SCHEMA|ROLE|TYPE|MODE|QUEUE|QUEUES|ENV|ENVIRONMENT|LEVEL|KEY|TOKEN|SECRET|TABLE|BUCKET|INDEX|TOPIC|CHANNEL|COMMAND|CMD|APP|PATH|DIR|FILE|ID|PROFILE|DRIVER|ENGINE|DIALECT|IMAGE|VERSION|TAG|LABEL|TITLE)$/i;
/** Variables that carry this service's own listen port (`PORT`, `APP_PORT`). */
const PORT_VARIABLE = /(^|_)PORT$/i;

/**
 * The service's environment for one replica: unset (`null`) variables dropped, and each value rewritten by
 * `rewriteEnvValue`.
 */
export function rewriteEnvironment(env: Readonly<Record<string, string | null>>, context: EnvRewriteContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== null) out[name] = rewriteEnvValue(name, value, context);
  }
  return out;
}

/**
 * One variable, rewritten for a replica running as a local process:
 * - a value that is exactly a service name or alias → that service's virtual address (not for variables named
 *   like credentials or settings, see NOT_A_HOST);
 * - service hosts in URLs and `HOST:PORT` lists → virtual addresses, ports unchanged (the virtual address
 *   listens on the container ports);
 * - `PORT` / `*_PORT` equal to one of this service's container ports → this replica's port (the app listens there).
 */
export function rewriteEnvValue(name: string, value: string, context: EnvRewriteContext): string {
  if (PORT_VARIABLE.test(name)) {
    const port = rewritePortNumber(value.trim(), context.ports);
    if (port !== undefined) return port;
  }
  if (!NOT_A_HOST.test(name)) {
    const address = context.resolve(value.trim());
    if (address !== undefined) return address;
  }
  return rewriteServiceReferences(value, context.resolve);
}
