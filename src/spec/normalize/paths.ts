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

/**
 * A build context that is not a local folder, as compose-go tells them apart: anything with `://` (git, http,
 * `docker-image://`, …), `git@…`, `github.com/…`, and an additional context naming another service (`service:api`).
 */
export function isRemoteContext(value: string): boolean {
  return value.includes('://') || /^(?:git@|github\.com\/|service:)/.test(value);
}

/** A build context: a remote one is kept as written; a folder becomes absolute. */
export function resolveBuildContext(value: string, base: PathBase): string {
  return isRemoteContext(value) ? value : resolveHostPath(value, base);
}
