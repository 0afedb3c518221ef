import { BerthError, type ErrorCode, type Warning } from '../errors.js';
import { formatPath, type ModelPath } from './model-path.js';
import { SourceMap } from './source-map.js';

/**
 * What every loader stage reports into: errors are collected (the loader reports all of them at once, then fails),
 * warnings are returned beside the result. Positions come from the source map by model path.
 */
export class StageContext {
  readonly issues: BerthError[] = [];
  readonly warnings: Warning[] = [];

  constructor(public sources: SourceMap = new SourceMap()) {}

  /** Records an error located at the value of `path` (or at its key when `at: 'key'`). */
  error(code: ErrorCode, path: ModelPath, message: string, options: { hint?: string; at?: 'key' | 'value' } = {}): void {
    const source = options.at === 'key' ? this.sources.key(path) : this.sources.value(path);
    this.issues.push(new BerthError(code, message, { source, path: formatPath(path) || undefined, hint: options.hint }));
  }

  warn(path: ModelPath, message: string): void {
    this.warnings.push({ message, source: this.sources.value(path), path: formatPath(path) || undefined });
  }

  get failed(): boolean {
    return this.issues.length > 0;
  }
}
