import type { ModelPath } from './model-path.js';
import { isOverrideMarker, OverrideMarker } from './yaml-tags.js';

/**
 * Rebuilds a parsed compose tree (plain objects, arrays, scalars, `!override` / `!reset` markers), passing every
 * string value — never a mapping key — to `onString` with its model path and putting back what it returns. Other
 * scalars and `!reset` markers are kept; an `!override` marker is rebuilt around its walked value, which keeps the
 * path of the key the tag is on. The input is not changed.
 */
export function mapStringValues(
  value: unknown,
  onString: (text: string, path: ModelPath) => unknown,
  path: ModelPath = [],
): unknown {
  if (typeof value === 'string') return onString(value, path);
  if (Array.isArray(value)) return value.map((item, i) => mapStringValues(item, onString, [...path, i]));
  if (isOverrideMarker(value)) return new OverrideMarker(mapStringValues(value.value, onString, path));
  if (isPlainObject(value)) {
    // fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStringValues(item, onString, [...path, key])]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
