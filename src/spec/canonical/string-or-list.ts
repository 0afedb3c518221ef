import type { CanonicalTransform } from './transform.js';

/** `services.*.dns`: `8.8.8.8` → `[8.8.8.8]`. */
export const canonicalStringOrList: CanonicalTransform = (value) => (typeof value === 'string' ? [value] : value);
