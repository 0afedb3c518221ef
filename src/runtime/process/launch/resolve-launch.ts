import { statSync } from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../errors.js';
import type { Logger } from '../../../log/logger.js';
import type { Service } from '../../../model/stack.js';
import type { InstanceSpec } from '../../runtime.js';
import { rewriteCommand, type CommandRewriteContext } from '../addresses/command-rewrite.js';
import { rewriteEnvironment } from '../addresses/env-rewrite.js';
import type { ServiceDirectory } from '../addresses/service-addresses.js';
import type { AdapterMatch, AdapterRegistry } from '../adapters/registry.js';
import { inheritedEnvironment, replicaEnvironment } from './environment.js';
import type { LaunchPlan, SpawnUser } from './launch-plan.js';
import { hostPathFor, type MountRoots } from './mounts.js';
import { resolveOsUser } from './os-user.js';

export interface LaunchContext {
  readonly stateDir: string;
  /** This replica's ports by container port, main one first. */
  readonly ports: ReadonlyMap<number, number>;
  /** PORT for a service without container ports. */
  readonly privatePort?: number;
  readonly directory: ServiceDirectory;
  readonly adapters: AdapterRegistry;
  readonly runDir: string;
  readonly mountRoots: MountRoots;
  readonly root: boolean;
  readonly log: Logger;
  /** Berth's environment, where the inherited variables come from. */
  readonly hostEnv?: NodeJS.ProcessEnv;
  readonly lookupUser?: (spec: string) => SpawnUser | undefined;
}

/**
 * How to run a replica as a local process, in this order:
 * 1. `x-berth.process.command` in `x-berth.process.cwd` (else the build context, else the project folder);
 * 2. a service built from a local folder runs its `entrypoint` + `command` (exec form) there: in `working_dir`
 *    mapped through its bind mounts (`.:/app` + `working_dir: /app` → the project folder), else in `working_dir`
 *    if it is an existing host folder, else in the build context;
 * 3. an image adapter for its image (postgres, redis);
 * 4. otherwise RUNTIME_UNRUNNABLE, saying what to add.
 * Commands and environment are rewritten for the replica's ports and the services' virtual addresses.
 */
export function resolveLaunch(spec: InstanceSpec, context: LaunchContext): LaunchPlan {
  const service = spec.service;
  const lookupUser = context.lookupUser ?? ((name: string) => resolveOsUser(name));
  const user = spawnUser(service, context, lookupUser);
  const env = replicaEnvironment({
    inherited: inheritedEnvironment(context.hostEnv),
    service: rewriteEnvironment(service.environment, { resolve: (h) => context.directory.resolve(h), ports: context.ports }),
    ports: context.ports,
    ...(context.privatePort === undefined ? {} : { privatePort: context.privatePort }),
    extra: spec.env,
    ...(user ? { user } : {}),
  });
  const mountedPath = (p: string): string | undefined => hostPathFor(p, service.volumes, context.mountRoots, true);
  const rewrite: CommandRewriteContext = {
    ports: context.ports, resolve: (h) => context.directory.resolve(h), ownNames: ownNames(service), env, hostPath: mountedPath,
  };
  const base = { env, probeEnv: {}, ...(user ? { user } : {}) };

  const berthCommand = service.berth.process?.command;
  if (berthCommand && berthCommand.length > 0) {
    const cwd = service.berth.process?.cwd ?? localContext(service) ?? spec.projectDir;
    return { ...base, how: 'x-berth.process.command', argv: rewriteCommand(berthCommand, rewrite), cwd };
  }
  const contextDir = localContext(service);
  const argv = [...(service.entrypoint ?? []), ...(service.command ?? [])];
  if (contextDir && argv.length > 0) {
    return { ...base, how: 'build context', argv: rewriteCommand(argv, rewrite), cwd: workingDir(service, contextDir, mountedPath) };
  }
  const match = adapterFor(service, context.adapters);
  if (match) {
    const port = context.ports.get(match.adapter.defaultPorts[0] ?? -1) ?? context.ports.values().next().value ?? 0;
    return match.adapter.plan({
      spec, image: match.image, env, port,
      hostPath: (p) => hostPathFor(p, service.volumes, context.mountRoots) as string,
      mountedPath, runDir: context.runDir, stateDir: context.stateDir, root: context.root, lookupUser, log: context.log,
    });
  }
  throw unrunnable(service, contextDir);
}

/**
 * Whether a service can run as a local process at all, without preparing anything: the same decision as
 * resolveLaunch, so that `up` can refuse an unrunnable stack before it starts any of it.
 */
export function checkRunnable(service: Service, adapters: AdapterRegistry): BerthError | undefined {
  if ((service.berth.process?.command?.length ?? 0) > 0) return undefined;
  const contextDir = localContext(service);
  if (contextDir && (service.entrypoint?.length ?? 0) + (service.command?.length ?? 0) > 0) return undefined;
  return adapters.match(service.image) ? undefined : unrunnable(service, contextDir);
}

/** The image adapter a service runs with: when it has no x-berth command and no local build with a command. */
export function adapterFor(service: Service, adapters: AdapterRegistry): AdapterMatch | undefined {
  if ((service.berth.process?.command?.length ?? 0) > 0) return undefined;
  if (localContext(service) && (service.entrypoint?.length ?? 0) + (service.command?.length ?? 0) > 0) return undefined;
  return adapters.match(service.image);
}

function unrunnable(service: Service, contextDir: string | undefined): BerthError {
  const what = contextDir
    ? `is built from ${contextDir} but has no \`command\` (berth does not read the Dockerfile's CMD)`
    : service.image ? `uses the image \`${service.image}\`, which berth cannot run as a local process` : 'has neither a command nor an image berth can run';
  return new BerthError('RUNTIME_UNRUNNABLE', `service ${service.name} ${what}`, {
    hint: `add \`x-berth: {process: {command: [...]}}\` to the service with the command to run it on this host, or run the stack with \`--runtime docker\``,
  });
}

/** The build context when it is a folder on this host (not a git or http URL). */
function localContext(service: Service): string | undefined {
  const context = service.build?.context;
  if (!context || !path.isAbsolute(context)) return undefined;
  return isDirectory(context) ? context : undefined;
}

function workingDir(service: Service, contextDir: string, mountedPath: (p: string) => string | undefined): string {
  const dir = service.workingDir;
  if (!dir || !path.isAbsolute(dir)) return dir ? path.resolve(contextDir, dir) : contextDir;
  const mounted = mountedPath(dir);
  if (mounted && isDirectory(mounted)) return mounted;
  return isDirectory(dir) ? dir : contextDir;
}

function spawnUser(service: Service, context: LaunchContext, lookup: (spec: string) => SpawnUser | undefined): SpawnUser | undefined {
  if (!service.user) return undefined;
  const user = context.root ? lookup(service.user) : undefined;
  if (!user) {
    context.log.warn(context.root ? 'the service\'s user is not an account of this host; running as berth\'s user' : 'berth does not run as root; the service\'s user is ignored', {
      service: service.name, user: service.user,
    });
  }
  return user;
}

function ownNames(service: Service): Set<string> {
  const names = new Set([service.name, ...Object.values(service.networks).flatMap((n) => n.aliases)]);
  if (service.hostname) names.add(service.hostname);
  if (service.containerName) names.add(service.containerName);
  return names;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
