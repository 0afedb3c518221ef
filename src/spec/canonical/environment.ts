import { keyValueMapping } from './key-value.js';
import type { CanonicalTransform } from './transform.js';

/**
 * `services.*.environment` and `services.*.build.args`: `["A=1", "B"]` → `{A: "1", B: null}`. A key without a value
 * stays `null`: normalize looks it up in the shell environment, as compose does. Mapping values that are numbers or
 * booleans become strings (`PORT: 8080` → `"8080"`, `DEBUG: true` → `"true"`).
 */
export const canonicalEnvironment: CanonicalTransform = (value, path, ctx) => keyValueMapping(value, path, ctx, null);
