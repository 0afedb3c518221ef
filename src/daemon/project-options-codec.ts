import type { SerializedProjectOptions } from '../api/protocol.js';
import { defaultProjectOptions, type ProjectOptions } from '../spec/project-options.js';

/** ProjectOptions as sent over the API: the CLI's flags, working directory and environment (the shell wins in compose). */
export function serializeProjectOptions(options: ProjectOptions): SerializedProjectOptions {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.environment)) if (value !== undefined) environment[key] = value;
  return {
    files: options.files,
    projectDirectory: options.projectDirectory,
    projectName: options.projectName,
    envFiles: options.envFiles,
    profiles: options.profiles,
    environment,
    workingDirectory: options.workingDirectory,
  };
}

export function deserializeProjectOptions(value: SerializedProjectOptions, services: readonly string[]): ProjectOptions {
  return defaultProjectOptions({
    files: value.files,
    projectDirectory: value.projectDirectory,
    projectName: value.projectName,
    envFiles: value.envFiles,
    profiles: value.profiles,
    environment: value.environment,
    workingDirectory: value.workingDirectory,
    services,
  });
}
