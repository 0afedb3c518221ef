import { isMarker, type CanonicalTransform, type Dict } from './transform.js';

/** `services.*.networks`: `[front, back]` → `{front: null, back: null}` (null = attached with no options). */
export const canonicalServiceNetworks: CanonicalTransform = (value) => {
  if (!Array.isArray(value)) return value;
  const out: Dict = {};
  for (const name of value) if (!isMarker(name)) out[String(name)] = null;
  return out;
};
