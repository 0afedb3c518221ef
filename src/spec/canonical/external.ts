import { isDict, type CanonicalTransform } from './transform.js';

/**
 * Top-level `volumes.*`, `networks.*`, `secrets.*`, `configs.*`: the deprecated `external: {name: x}` becomes
 * `external: true` with `name: x`, as compose-go does (with a warning). A conflicting `name:` is an error.
 */
export const canonicalMaybeExternal: CanonicalTransform = (value, path, ctx) => {
  if (!isDict(value) || !isDict(value.external)) return value;
  const out = { ...value, external: true };
  const externalName = value.external.name;
  if (externalName === undefined) return out;
  ctx.warn([...path, 'external'], 'external.name is deprecated: set `name:` and `external: true` instead');
  if (value.name !== undefined && value.name !== externalName) {
    ctx.error('SPEC_TYPE', [...path, 'external', 'name'], `name ${JSON.stringify(value.name)} and external.name ${JSON.stringify(externalName)} conflict`, {
      hint: 'keep only `name:` (and `external: true`)',
    });
    return value;
  }
  return { ...out, name: externalName };
};
