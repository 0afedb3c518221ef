/** A YAML mapping as plain data (not a list, not null, not a merge marker). */
export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A deep copy of plain data (mappings and lists); other values are shared. */
export function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => clonePlain(item)) as T;
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [key, item] of Object.entries(value)) out[key] = clonePlain(item);
    return out as T;
  }
  return value;
}
