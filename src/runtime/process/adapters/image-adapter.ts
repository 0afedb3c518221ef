import path from 'node:path';
import type { Logger } from '../../../log/logger.js';
import type { InstanceSpec } from '../../runtime.js';
import type { LaunchPlan, SpawnUser } from '../launch/launch-plan.js';
import type { ImageRef } from './image-ref.js';

/** What an adapter gets to plan one replica. */
export interface AdapterInput {
  readonly spec: InstanceSpec;
  readonly image: ImageRef;
  /** The replica's environment as built for any process (service environment rewritten, PORT, …). */
  readonly env: Readonly<Record<string, string>>;
  /** The replica's port for the adapter's main container port. */
  readonly port: number;
  /** Host folder behind a container path (volumes become folders under the state folder). */
  readonly hostPath: (containerPath: string) => string;
  /** Host path of a container path only when it is under a bind mount or named volume. */
  readonly mountedPath: (containerPath: string) => string | undefined;
  /** A private folder for this replica's sockets and temporary files (short enough for a unix socket path). */
  readonly runDir: string;
  readonly stateDir: string;
  /** Whether berth runs as root (then servers that refuse root run as their own account). */
  readonly root: boolean;
  readonly lookupUser: (name: string) => SpawnUser | undefined;
  readonly log: Logger;
}

/**
 * Runs a well-known image (postgres, redis) with the same program installed on the host, keeping the image's
 * contract: its environment variables, its data folder as a volume folder, its healthcheck tools.
 * `plan` is pure apart from looking for binaries; it throws RUNTIME_MISSING_BINARY naming the package to install.
 */
export interface ImageAdapter {
  readonly name: string;
  /** Container ports the image listens on when the service declares none. */
  readonly defaultPorts: readonly number[];
  matches(image: ImageRef): boolean;
  plan(input: AdapterInput): LaunchPlan;
}

/**
 * The arguments of an image's compose `command:` for its own server program: what follows `program`
 * (`redis-server --appendonly yes` → `--appendonly yes`), or the whole command when it starts with a flag
 * (`command: --appendonly yes`). Another program as command is ignored with a warning naming the service.
 */
export function serverArguments(input: AdapterInput, program: string): string[] {
  const command = input.spec.service.command;
  if (!command || command.length === 0) return [];
  const first = command[0] ?? '';
  if (path.basename(first) === program) return command.slice(1);
  if (first.startsWith('-')) return [...command];
  input.log.warn(`the command of a ${program} service is not \`${program} …\`; it is ignored`, { service: input.spec.service.name, command });
  return [];
}
