import { quote, type CanonicalTransform } from './transform.js';

/**
 * `services.*.devices.*`: `"/dev/ttyUSB0:/dev/ttyUSB0:rwm"` → `{source, target, permissions}`; permissions default
 * to `rwm` and a lone path maps to itself, as compose does.
 */
export const canonicalDevice: CanonicalTransform = (value, path, ctx) => {
  if (typeof value !== 'string') return value;
  const parts = value.split(':');
  if (parts.length > 3) {
    ctx.error('SPEC_TYPE', path, `cannot read device ${quote(value)}: too many ":"-separated parts`, {
      hint: 'use "HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]" or the long form {source, target, permissions}',
    });
    return value;
  }
  const [source = '', target = source, permissions = 'rwm'] = parts;
  return { source, target, permissions };
};
