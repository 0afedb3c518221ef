import { isDict, isMarker, quote, type CanonicalTransform, type Dict } from './transform.js';

/**
 * `services.*.depends_on`: `[db, cache]` → `{db: {condition: service_started, required: true}, …}`. Mapping entries
 * get the same `condition` and `required` when they omit them — compose-go does this before files are merged, so an
 * override file's `db: {}` resets the condition to `service_started`. `restart` is left to normalize (default false).
 */
export const canonicalDependsOn: CanonicalTransform = (value, path, ctx) => {
  if (Array.isArray(value)) {
    const out: Dict = {};
    value.forEach((entry, index) => {
      if (typeof entry === 'string') out[entry] = { condition: 'service_started', required: true };
      else if (!isMarker(entry)) {
        ctx.error('SPEC_TYPE', [...path, index], `expected a service name, got ${quote(entry)}`, {
          hint: 'list service names, or use the long form {SERVICE: {condition: service_healthy}}',
        });
      }
    });
    return out;
  }
  if (!isDict(value)) return value;
  const out: Dict = {};
  for (const [name, entry] of Object.entries(value)) {
    if (entry === null || entry === undefined) out[name] = { condition: 'service_started', required: true };
    else if (isDict(entry)) out[name] = { condition: 'service_started', required: true, ...entry };
    else out[name] = entry;
  }
  return out;
};
