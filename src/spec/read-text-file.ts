import { readFileSync, statSync } from 'node:fs';
import { BerthError } from '../errors.js';

/** Why a file could not be read, in words, and what to do about it; keyed by Node's error code. */
const REASONS: Readonly<Record<string, readonly [reason: string, hint: string]>> = {
  ENOENT: ['it does not exist', 'check the path; relative paths start from the project folder'],
  EISDIR: ['it is a folder, not a file', 'name a file inside the folder'],
  EACCES: ['permission denied', 'make the file readable by the user running berth'],
  EPERM: ['permission denied', 'make the file readable by the user running berth'],
};

/**
 * Reads a file a user pointed berth at (a compose file, an env file, a Procfile) as UTF-8. A missing file, a folder
 * or a permission problem is a SPEC_READ error that says which, with the `what` (`env file`) and the path.
 */
export function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const [reason, hint] = REASONS[code] ?? [code || String(error), 'check that the file exists and is readable'];
    throw new BerthError('SPEC_READ', `cannot read ${what} ${file}: ${reason}`, { cause: error, hint });
  }
}

/** True for an existing regular file (or a link to one); false for a folder or a path that does not exist. */
export function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
