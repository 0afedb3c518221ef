import { existsSync } from 'node:fs';
import path from 'node:path';
import { BerthError } from '../errors.js';
import { parseDotenv } from './dotenv.js';
import { isFile, readTextFile } from './read-text-file.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads a dotenv file; `${VAR}` inside it resolves against earlier keys of the file, then `lookup`. */
export function readDotenvFile(file: string, lookup: (name: string) => string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of parseDotenv(readTextFile(file, 'env file'), file, lookup)) values[entry.key] = entry.value;
  return values;
}

/**
 * The variables compose interpolates with: the project's `.env` (or the `--env-file`s, in order, later ones
 * winning), overridden by the shell's environment — the shell always wins, as in compose.
 */
export function interpolationEnvironment(options: {
  readonly envFiles: readonly string[];
  readonly projectDir: string;
  readonly workingDirectory: string;
  readonly environment: Environment;
}): Record<string, string> {
  const files = options.envFiles.length > 0
    ? options.envFiles.map((file) => path.resolve(options.workingDirectory, file))
    // The default `.env` is skipped when it is not a file (a Python virtualenv is often a `.env` folder), as in compose.
    : [path.join(options.projectDir, '.env')].filter(isFile);
  const fromFiles: Record<string, string> = {};
  for (const file of files) {
    if (options.envFiles.length > 0 && !existsSync(file)) {
      throw new BerthError('SPEC_NOT_FOUND', `--env-file ${file} does not exist`, { hint: 'check the path given to --env-file' });
    }
    Object.assign(fromFiles, readDotenvFile(file, (name) => own(options.environment, name) ?? own(fromFiles, name)));
  }
  const merged: Record<string, string> = { ...fromFiles };
  for (const [key, value] of Object.entries(options.environment)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** The value of an own key only: `${constructor}` must not find Object.prototype.constructor. */
function own(record: Environment, name: string): string | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
