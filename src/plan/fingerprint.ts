import { createHash } from 'node:crypto';
import type { Service } from '../model/stack.js';

/**
 * A short hash of everything in a service definition, like compose's config-hash label: a replica created from a
 * different definition is recreated by the next `up`. The replica count is left out: scaling is not a change.
 */
export function serviceFingerprint(service: Service): string {
  // Undefined fields are left out of the JSON below.
  const unscaled = { ...service, replicas: undefined, deploy: service.deploy && { ...service.deploy, replicas: undefined } };
  return createHash('sha256').update(stableJson(unscaled)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted and undefined fields left out: equal data, equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
