import type { CanonicalTransform } from './transform.js';

/** `services.*.secrets.*`, `services.*.configs.*`, `services.*.build.secrets.*`: `db_password` → `{source: db_password}`. */
export const canonicalFileReference: CanonicalTransform = (value) => (typeof value === 'string' ? { source: value } : value);
