import type { Command } from 'commander';
import { defaultProjectOptions, type ProjectOptions } from '../spec/project-options.js';

/** The flags every project command shares, named as docker compose names them. */
export function addProjectFlags(program: Command): Command {
  return program
    .option('-f, --file <file>', 'compose file (repeat to merge overlays; default: compose.yaml, docker-compose.yml, … or a Procfile)', collect)
    .option('-p, --project-name <name>', 'project name (default: COMPOSE_PROJECT_NAME, name:, or the folder name)')
    .option('--project-directory <dir>', 'project directory (default: the folder of the first compose file)')
    .option('--env-file <file>', 'env file for interpolation (repeatable; default: <project dir>/.env)', collect)
    .option('--profile <name>', 'enable a profile (repeatable; default: COMPOSE_PROFILES)', collect);
}

interface ProjectFlags {
  readonly file?: string[];
  readonly projectName?: string;
  readonly projectDirectory?: string;
  readonly envFile?: string[];
  readonly profile?: string[];
}

export function projectOptionsFrom(
  command: Command,
  extra: { services?: readonly string[]; interpolate?: boolean } = {},
): ProjectOptions {
  const flags = command.optsWithGlobals<ProjectFlags>();
  return defaultProjectOptions({
    files: flags.file ?? [],
    projectName: flags.projectName,
    projectDirectory: flags.projectDirectory,
    envFiles: flags.envFile ?? [],
    profiles: flags.profile ?? [],
    services: extra.services ?? [],
    interpolate: extra.interpolate ?? true,
  });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
