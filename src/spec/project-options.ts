/**
 * What the user told us about which project to load: flags and environment, before any file is read.
 * Mirrors docker compose's global flags and COMPOSE_* variables.
 */
export interface ProjectOptions {
  /** `-f` in order; empty = discover. */
  readonly files: readonly string[];
  /** `--project-directory`. */
  readonly projectDirectory?: string;
  /** `-p`. */
  readonly projectName?: string;
  /** `--env-file` in order; empty = `<project dir>/.env` if present. */
  readonly envFiles: readonly string[];
  /** `--profile`; empty = COMPOSE_PROFILES. */
  readonly profiles: readonly string[];
  /** Services named on the command line (enables their profiles, as compose does). */
  readonly services: readonly string[];
  /** `--no-interpolate`. */
  readonly interpolate: boolean;
  /** The process environment; a parameter so that tests and the daemon can pass their own. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** Where discovery starts (the shell's working directory). */
  readonly workingDirectory: string;
}

export function defaultProjectOptions(overrides: Partial<ProjectOptions> = {}): ProjectOptions {
  return {
    files: [],
    envFiles: [],
    profiles: [],
    services: [],
    interpolate: true,
    environment: process.env,
    workingDirectory: process.cwd(),
    ...overrides,
  };
}
