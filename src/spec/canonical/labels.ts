import { keyValueMapping } from './key-value.js';
import type { CanonicalTransform } from './transform.js';

/**
 * `labels` (of services, builds, deploy, networks, volumes, secrets, configs), `annotations`, `sysctls`,
 * `build.additional_contexts`: `["a=b", "c"]` → `{a: "b", c: ""}`; every value becomes a string.
 */
export const canonicalLabels: CanonicalTransform = (value, path, ctx) => keyValueMapping(value, path, ctx, '');
