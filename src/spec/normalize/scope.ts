import type { StageContext } from '../stage-context.js';
import type { PathBase } from './paths.js';

/**
 * Reads an env file (absolute path); `undefined` when it does not exist, which normalize reports when `required`.
 * May throw a BerthError (SPEC_READ for a file that cannot be read, such as a folder; SPEC_DOTENV).
 */
export type EnvFileReader = (path: string, required: boolean) => Record<string, string> | undefined;

/** What every part of normalize needs besides the value it reads. */
export interface NormalizeScope {
  readonly ctx: StageContext;
  readonly projectName: string;
  readonly base: PathBase;
  readonly envFileReader: EnvFileReader;
  /** The variables compose resolves `environment: [NAME]` from (the interpolation environment). */
  readonly lookupVariable: (name: string) => string | undefined;
}
