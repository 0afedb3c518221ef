import type { CanonicalTransform } from './transform.js';

/** `services.*.extends`: `base` → `{service: base}` (a service of the same file). */
export const canonicalExtends: CanonicalTransform = (value) => (typeof value === 'string' ? { service: value } : value);
