import path from 'node:path';
import { BerthError } from '../errors.js';

const VALID_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Compose's project-name precedence: `-p`, then COMPOSE_PROJECT_NAME, then top-level `name:`, then the project
 * folder's name. A name given on the command line or in the environment must already be valid; the file's `name:`
 * and the folder's name are normalized (lower case, other characters dropped) as compose-go does, so `name: MyApp`
 * is the project `myapp`.
 */
export function resolveProjectName(input: {
  readonly flag?: string;
  readonly environment?: string;
  readonly fromFile?: string;
  readonly projectDir: string;
}): string {
  const explicit: Array<[string | undefined, string]> = [[input.flag, '-p'], [input.environment, 'COMPOSE_PROJECT_NAME']];
  for (const [value, origin] of explicit) {
    if (value === undefined || value === '') continue;
    if (!VALID_NAME.test(value)) {
      throw new BerthError('USAGE', `invalid project name "${value}" (from ${origin})`, {
        hint: 'a project name has only lowercase letters, digits, dashes and underscores, and starts with a letter or digit',
      });
    }
    return value;
  }
  const fromFile = normalizeProjectName(input.fromFile ?? '');
  if (fromFile !== '') return fromFile;
  const normalized = normalizeProjectName(path.basename(input.projectDir));
  if (normalized === '') {
    throw new BerthError('USAGE', `cannot derive a project name from the folder "${input.projectDir}"`, {
      hint: 'set one with -p NAME, COMPOSE_PROJECT_NAME or a top-level name: in the compose file',
    });
  }
  return normalized;
}

export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}
