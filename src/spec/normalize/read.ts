import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';

/**
 * Typed reads of the merged, canonical model. The schema stage has checked types already, so a mismatch here is
 * rare (a merge of odd overlays, or an interpolated value); it is reported as SPEC_TYPE at its path and the read
 * returns `undefined` so normalizing goes on and every problem is collected.
 */
export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The mapping at `value`, `{}` for null/absent, `undefined` (reported) for anything else. */
export function readDict(value: unknown, ctx: StageContext, path: ModelPath): Dict | undefined {
  if (value === undefined || value === null) return {};
  if (isDict(value)) return value;
  typeError(ctx, path, 'a mapping', value);
  return undefined;
}

export function readString(value: unknown, ctx: StageContext, path: ModelPath): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  typeError(ctx, path, 'a string', value);
  return undefined;
}

/**
 * A whole number: a number, or a string of digits (interpolated values arrive as strings). Numbers too large to be
 * exact (`99999999999999999999` reads as 1e20) are refused rather than silently rounded.
 */
export function readInteger(value: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
  const tooLarge = typeof number === 'number' && Number.isInteger(number);
  typeError(ctx, path, tooLarge ? `a whole number no larger than ${Number.MAX_SAFE_INTEGER}` : 'a whole number', value);
  return undefined;
}

export function readNumber(value: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number)) return number;
  typeError(ctx, path, 'a number', value);
  return undefined;
}

const TRUE = new Set(['true', 'yes', 'on', 'y', '1']);
const FALSE = new Set(['false', 'no', 'off', 'n', '0']);

export function readBoolean(value: unknown, ctx: StageContext, path: ModelPath): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  typeError(ctx, path, 'true or false', value);
  return undefined;
}

/** A list of strings (numbers become text); a single string is a one-item list. */
export function readStringList(value: unknown, ctx: StageContext, path: ModelPath): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) {
    typeError(ctx, path, 'a list of strings', value);
    return [];
  }
  const out: string[] = [];
  value.forEach((item, index) => {
    const text = readString(item, ctx, [...path, index]);
    if (text !== undefined) out.push(text);
  });
  return out;
}

/** A mapping of strings (after canonical: labels and the like); null values become `nullAs`. */
export function readStringMap<N extends string | null>(value: unknown, ctx: StageContext, path: ModelPath, nullAs: N): Record<string, string | N> {
  const dict = readDict(value, ctx, path) ?? {};
  const out: Record<string, string | N> = {};
  for (const [key, entry] of Object.entries(dict)) {
    if (entry === null || entry === undefined) out[key] = nullAs;
    else {
      const text = readString(entry, ctx, [...path, key]);
      if (text !== undefined) out[key] = text;
    }
  }
  return out;
}

/**
 * The keys of `dict` that are not in `known`, verbatim; `x-*` keys too unless `withExtensions` is false (a service
 * keeps those apart, in `extensions`).
 */
export function otherKeys(dict: Dict, known: ReadonlySet<string>, withExtensions = true): Dict {
  return Object.fromEntries(Object.entries(dict).filter(([key]) => !known.has(key) && (withExtensions || !key.startsWith('x-'))));
}

/** The `x-*` keys of `dict` except `x-berth`, verbatim. */
export function extensionKeys(dict: Dict): Dict {
  return Object.fromEntries(Object.entries(dict).filter(([key]) => key.startsWith('x-') && key !== 'x-berth'));
}

export function typeError(ctx: StageContext, path: ModelPath, expected: string, value: unknown): void {
  ctx.error('SPEC_TYPE', path, `expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
}
