import { isDict, isMarker, type CanonicalTransform } from './transform.js';

/**
 * `services.*.env_file`: a path, a list of paths, or long-form entries → a list of `{path, required}`, `required`
 * being true unless the entry says `required: false`. Paths stay as written; normalize resolves and reads them.
 */
export const canonicalEnvFile: CanonicalTransform = (value) => {
  if (typeof value === 'string') return [entry(value)];
  if (!Array.isArray(value)) return value;
  return value.map((item) => (isMarker(item) ? item : entry(item)));
};

function entry(item: unknown): unknown {
  if (typeof item === 'string') return { path: item, required: true };
  if (isDict(item)) return item.required === undefined ? { ...item, required: true } : item;
  return item;
}
