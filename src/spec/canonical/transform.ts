import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isOverrideMarker, isResetMarker } from '../yaml-tags.js';

/**
 * One short-form → long-form rewrite, registered for a path pattern (`services.*.ports`). It receives the value at
 * that path (never a merge marker: the walker unwraps those) and returns its long form; problems go to `ctx` and the
 * value is returned as it came so later stages still see something. Transforms never fill defaults.
 */
export type CanonicalTransform = (value: unknown, path: ModelPath, ctx: StageContext) => unknown;

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isResetMarker(value) && !isOverrideMarker(value);
}

export function isMarker(value: unknown): boolean {
  return isResetMarker(value) || isOverrideMarker(value);
}

/** How compose prints a scalar it stores as a string (`8080`, `true`, `1.5`). */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Quotes a user's value for a message: strings in double quotes, the rest as JSON. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}
