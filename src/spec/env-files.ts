import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BerthError } from '../errors.js';
import { parseDotenv } from './dotenv.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads a dotenv file; `${VAR}` inside it resolves against earlier keys of the file, then `lookup`. */
export function readDotenvFile(file: string, lookup: (name: string) => string | undefined): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BerthError('SPEC_READ', `cannot read env file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error, hint: 'check that the file exists and is readable',
    });
  }
  const values: Record<string, string> = {};
  for (const entry of parseDotenv(text, file, lookup)) values[entry.key] = entry.value;
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
    : [path.join(options.projectDir, '.env')].filter((file) => existsSync(file));
  const fromFiles: Record<string, string> = {};
  for (const file of files) {
    if (options.envFiles.length > 0 && !existsSync(file)) {
      throw new BerthError('SPEC_NOT_FOUND', `--env-file ${file} does not exist`, { hint: 'check the path given to --env-file' });
    }
    Object.assign(fromFiles, readDotenvFile(file, (name) => options.environment[name] ?? fromFiles[name]));
  }
  const merged: Record<string, string> = { ...fromFiles };
  for (const [key, value] of Object.entries(options.environment)) if (value !== undefined) merged[key] = value;
  return merged;
}
