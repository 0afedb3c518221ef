import { REPLICA_HOST } from '../addresses/local-address.js';
import type { SpawnUser } from './launch-plan.js';

/**
 * Variables a replica takes from berth's own environment (a container would get them from its image): where
 * programs are (PATH), the home folder and user names, locale and time zone, and the temp folder. Nothing else
 * leaks from the host; the service's `environment:` / `env_file:` give the rest.
 */
export const INHERITED_VARIABLES: readonly string[] = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR'];
const INHERITED_PREFIXES: readonly string[] = ['LC_'];
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function inheritedEnvironment(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined) continue;
    if (INHERITED_VARIABLES.includes(name) || INHERITED_PREFIXES.some((p) => name.startsWith(p))) out[name] = value;
  }
  out.PATH ??= DEFAULT_PATH;
  return out;
}

/**
 * `PORT` (the main container port's replica port), `HOST`, and `PORT_<containerPort>` for each; for a service
 * without container ports, `PORT` is its private port, if it has one.
 */
export function portEnvironment(ports: ReadonlyMap<number, number>, privatePort?: number): Record<string, string> {
  const out: Record<string, string> = {};
  const first = ports.values().next();
  if (first.done) return privatePort === undefined ? out : { PORT: String(privatePort), HOST: REPLICA_HOST };
  out.PORT = String(first.value);
  out.HOST = REPLICA_HOST;
  for (const [containerPort, port] of ports) out[`PORT_${containerPort}`] = String(port);
  return out;
}

/** HOME, USER and LOGNAME of the account a replica runs as. */
export function userEnvironment(user: SpawnUser | undefined): Record<string, string> {
  if (!user) return {};
  return {
    ...(user.home ? { HOME: user.home } : {}),
    ...(user.name ? { USER: user.name, LOGNAME: user.name } : {}),
  };
}

export interface ReplicaEnvironmentParts {
  readonly inherited: Readonly<Record<string, string>>;
  /** The service's environment after rewriting. */
  readonly service: Readonly<Record<string, string>>;
  readonly ports: ReadonlyMap<number, number>;
  readonly privatePort?: number;
  /** InstanceSpec.env: BERTH_SERVICE, BERTH_REPLICA, … */
  readonly extra: Readonly<Record<string, string>>;
  readonly user?: SpawnUser;
}

/**
 * The environment of a replica, later layers winning: inherited variables, the user's HOME/USER, the service's
 * environment, PORT/HOST/PORT_<n> (the replica must listen where berth forwards to), then berth's own variables.
 */
export function replicaEnvironment(parts: ReplicaEnvironmentParts): Record<string, string> {
  return { ...parts.inherited, ...userEnvironment(parts.user), ...parts.service, ...portEnvironment(parts.ports, parts.privatePort), ...parts.extra };
}
