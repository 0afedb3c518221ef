/**
 * Kubernetes object names are DNS-1123 labels (lowercase letters, digits and `-`, at most 63 characters, starting
 * and ending with an alphanumeric). Compose names allow `_` and upper case, so they are mapped here, in one place.
 */
export function kubeName(name: string): string {
  const mapped = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return mapped === '' ? 'unnamed' : mapped;
}
