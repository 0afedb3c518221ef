import path from 'node:path';

/** Where relative paths of the stack are resolved from. */
export interface PathBase {
  readonly projectDir: string;
  readonly homeDir: string;
}

/** A host path as compose resolves it: `~` and `~/x` from the home folder, relative paths from the project folder. */
export function resolveHostPath(value: string, base: PathBase): string {
  if (value === '~' || value.startsWith('~/')) return path.join(base.homeDir, value.slice(1));
  return path.resolve(base.projectDir, value);
}

const REMOTE_CONTEXT = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

/** A build context: a URL (git, http, docker-image://, …) is kept as written; a folder becomes absolute. */
export function resolveBuildContext(value: string, base: PathBase): string {
  return REMOTE_CONTEXT.test(value) ? value : resolveHostPath(value, base);
}
