import type { Command } from 'commander';
import type { ApiClient } from '../api/client.js';
import { connectDaemon, ensureDaemon } from '../daemon/launch.js';
import { serializeProjectOptions } from '../daemon/project-options-codec.js';
import { BerthError } from '../errors.js';
import type { Stack } from '../model/stack.js';
import { loadStack } from '../spec/load.js';
import type { ProjectOptions } from '../spec/project-options.js';
import { StateDir } from '../state/state-dir.js';
import type { SerializedProjectOptions } from '../api/protocol.js';
import { projectOptionsFrom } from './global-options.js';
import { printWarnings } from './report.js';

/** What a stack command needs: the validated stack (nothing starts from an invalid file) and its state dir. */
export interface ProjectContext {
  readonly options: ProjectOptions;
  readonly stack: Stack;
  readonly stateDir: StateDir;
  readonly serialized: SerializedProjectOptions;
}

export function projectContext(cmd: Command, services: readonly string[] = []): ProjectContext {
  const options = projectOptionsFrom(cmd, { services });
  const { stack, warnings } = loadStack(options);
  printWarnings(warnings);
  requireServices(stack, services);
  return { options, stack, stateDir: StateDir.forProject(stack.projectDir), serialized: serializeProjectOptions(options) };
}

/** A usage error (exit status 2) for the first name that is not a service of the stack. */
export function requireServices(stack: Stack, names: readonly string[]): void {
  for (const name of names) {
    if (!(name in stack.services)) {
      throw new BerthError('USAGE', `no such service: ${name}`, { hint: `services are: ${Object.keys(stack.services).sort().join(', ')}` });
    }
  }
}

export function startDaemon(context: ProjectContext): Promise<ApiClient> {
  return ensureDaemon(context.stateDir, context.stack.projectDir);
}

/** The running daemon, or a clear error saying how to start one. */
export async function requireDaemon(context: ProjectContext): Promise<ApiClient> {
  const client = await connectDaemon(context.stateDir);
  if (!client) {
    throw new BerthError('DAEMON_UNREACHABLE', `stack ${context.stack.name} is not running`, { hint: 'start it with `berth up -d`' });
  }
  return client;
}
