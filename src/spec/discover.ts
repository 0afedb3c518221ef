import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { BerthError, type Warning } from '../errors.js';
import { isFile } from './read-text-file.js';

/** File names compose looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
const OVERRIDE_NAMES: Readonly<Record<string, readonly string[]>> = {
  'compose.yaml': ['compose.override.yaml', 'compose.override.yml'],
  'compose.yml': ['compose.override.yml', 'compose.override.yaml'],
  'docker-compose.yml': ['docker-compose.override.yml', 'docker-compose.override.yaml'],
  'docker-compose.yaml': ['docker-compose.override.yaml', 'docker-compose.override.yml'],
};
export const PROCFILE_NAME = 'Procfile';

/** The compose files to load, and anything worth telling the user about how they were found. */
export interface DiscoveredFiles {
  /** Absolute paths in merge order. */
  readonly files: readonly string[];
  readonly warnings: readonly Warning[];
}

/**
 * Finds the files to load the way compose does: `-f` flags, else COMPOSE_FILE (split on COMPOSE_PATH_SEPARATOR),
 * else the first compose file name found in the working directory or its parents, plus its `.override` file;
 * a `Procfile` is the last resort. Relative `-f` paths are taken from the working directory.
 */
export function discoverFiles(options: {
  readonly files: readonly string[];
  readonly workingDirectory: string;
  readonly environment: Readonly<Record<string, string | undefined>>;
}): DiscoveredFiles {
  const { workingDirectory, environment } = options;
  const given = options.files.length > 0 ? options.files : splitComposeFileVariable(environment);
  if (given.length > 0) {
    const files = given.map((file) => path.resolve(workingDirectory, file));
    for (const [i, file] of files.entries()) requireFile(file, options.files.length > 0 ? '-f' : 'COMPOSE_FILE', given[i] ?? file);
    return { files, warnings: [] };
  }
  for (let dir = path.resolve(workingDirectory); ; dir = path.dirname(dir)) {
    const found = COMPOSE_FILE_NAMES.filter((name) => isFile(path.join(dir, name)));
    const first = found[0];
    if (first) {
      const warnings: Warning[] = found.length > 1
        ? [{ message: `found several compose files (${found.join(', ')}) in ${dir}; using ${first}` }]
        : [];
      const override = (OVERRIDE_NAMES[first] ?? []).find((name) => isFile(path.join(dir, name)));
      const files = [path.join(dir, first), ...(override ? [path.join(dir, override)] : [])];
      return { files, warnings };
    }
    if (isFile(path.join(dir, PROCFILE_NAME))) return { files: [path.join(dir, PROCFILE_NAME)], warnings: [] };
    if (path.dirname(dir) === dir) break;
  }
  throw new BerthError('SPEC_NOT_FOUND', `no compose file found in ${workingDirectory} or its parent folders`, {
    hint: `create ${COMPOSE_FILE_NAMES[0]} (or docker-compose.yml, or a Procfile), or name one with -f FILE`,
  });
}

function splitComposeFileVariable(environment: Readonly<Record<string, string | undefined>>): string[] {
  const value = environment.COMPOSE_FILE;
  if (!value) return [];
  const separator = environment.COMPOSE_PATH_SEPARATOR || path.delimiter;
  return value.split(separator).filter((part) => part !== '');
}

function requireFile(file: string, flag: string, asGiven: string): void {
  if (isFile(file)) return;
  const folder = existsSync(file) && statSync(file).isDirectory();
  const reason = folder ? 'is a folder, not a file' : existsSync(file) ? 'is not a regular file' : 'does not exist';
  throw new BerthError('SPEC_NOT_FOUND', `${flag} ${asGiven}: ${file} ${reason}`, {
    hint: folder
      ? `name the compose file inside it, e.g. ${path.join(asGiven, COMPOSE_FILE_NAMES[0])}`
      : 'check the path; relative paths are taken from the current directory',
  });
}

export function isProcfile(file: string): boolean {
  return path.basename(file) === PROCFILE_NAME || /\.procfile$/i.test(file);
}
