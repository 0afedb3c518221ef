import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultProjectOptions, type ProjectOptions } from '../../src/spec/project-options.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** Optional `case.json` in a fixture folder: how to load it (flags and environment), as a user would run berth. */
export interface CaseOptions {
  readonly files?: string[];
  readonly profiles?: string[];
  readonly projectName?: string;
  readonly envFiles?: string[];
  readonly env?: Record<string, string>;
  readonly services?: string[];
  readonly interpolate?: boolean;
  /** Skip the docker-compose v1 oracle for this case, with the reason. */
  readonly oracleSkip?: string;
}

export function listCases(folder: string): string[] {
  const root = path.join(FIXTURES, folder);
  return readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export function caseOptions(dir: string): CaseOptions {
  const file = path.join(dir, 'case.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CaseOptions) : {};
}

/** A deterministic environment: no inherited shell variables, so results do not depend on the machine. */
export function projectOptionsForCase(dir: string): ProjectOptions {
  const options = caseOptions(dir);
  return defaultProjectOptions({
    workingDirectory: dir,
    files: options.files ?? [],
    profiles: options.profiles ?? [],
    projectName: options.projectName,
    envFiles: options.envFiles ?? [],
    services: options.services ?? [],
    interpolate: options.interpolate ?? true,
    environment: { HOME: '/home/user', ...options.env },
  });
}

/** Replaces machine-specific absolute paths so golden files are portable. */
export function portable(text: string, dir: string): string {
  return text.split(dir).join('<case>').split(FIXTURES).join('<fixtures>');
}
