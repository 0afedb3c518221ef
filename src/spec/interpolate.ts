import type { ModelPath } from './model-path.js';
import type { StageContext } from './stage-context.js';
import { interpolateString, toLookup, type Variables } from './interpolation-template.js';
import { mapStringValues } from './map-string-values.js';

export { interpolateString, type InterpolationFailure, type InterpolationResult, type UnsetVariable, type Variables }
  from './interpolation-template.js';

/** The warning compose prints for a variable used without a default while unset (its exact wording). */
export function unsetVariableWarning(name: string): string {
  return `The ${JSON.stringify(name)} variable is not set. Defaulting to a blank string.`;
}

/**
 * Interpolates every string value of one parsed compose file (plain objects, arrays, scalars, and the `!override` /
 * `!reset` markers) and returns a new tree; the input is not changed.
 *
 * What is interpolated is what compose-go interpolates:
 * - string VALUES only; numbers, booleans and null stay as they are (casting strings at typed paths is the next
 *   step, `castInterpolatedTypes`).
 * - mapping KEYS never, anywhere (not under `environment` or `labels` either). compose-go walks values only and its
 *   maintainers keep it that way (compose-spec/compose-go#241): a key is structure, and a substituted key could
 *   silently collide with another one. The list forms (`- "KEY=${VALUE}"`) are the documented way to vary a key.
 * - `x-*` extensions too: compose-go interpolates the whole file, extensions included, so an unset variable in an
 *   `x-` block warns and a malformed `${` there fails, as in compose.
 *
 * Failures become SPEC_INTERPOLATION errors at the value's position (the value keeps its text); an unset variable
 * warns once per name per StageContext, at its first use.
 */
export function interpolateTree(value: unknown, ctx: StageContext, variables: Variables): unknown {
  const lookup = toLookup(variables);
  return mapStringValues(value, (text, path) => interpolateValue(text, path, ctx, lookup));
}

function interpolateValue(
  text: string,
  path: ModelPath,
  ctx: StageContext,
  lookup: (name: string) => string | undefined,
): string {
  if (!text.includes('$')) return text;
  const result = interpolateString(text, lookup);
  for (const unset of result.unset) {
    const message = unsetVariableWarning(unset.name);
    if (!ctx.warnings.some((warning) => warning.message === message)) ctx.warn(path, message);
  }
  if (result.ok) return result.value;
  ctx.error('SPEC_INTERPOLATION', path, result.failure.message, { hint: result.failure.hint });
  return text;
}
