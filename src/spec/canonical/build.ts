import type { CanonicalTransform } from './transform.js';

/** `services.*.build`: `./app` → `{context: ./app}`. The `Dockerfile` and `.` defaults are normalize's job. */
export const canonicalBuild: CanonicalTransform = (value) => (typeof value === 'string' ? { context: value } : value);
