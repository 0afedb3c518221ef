import type { ModelPath } from '../model-path.js';
import { deviceKey, envFileKey, exposeKey, keyValueKey, mountKey, portKey, volumeKey, type ListKey } from './list-keys.js';

/**
 * How compose merges the value at one path when an overlay file (or an extending service) sets it again. Paths not
 * listed here follow the default: mappings merge key by key, lists append, scalars are replaced, and an overlay
 * `null` keeps the base value. Learned from compose-go's `override` package (`mergeSpecials`).
 */
export type MergeRule =
  /** The overlay value replaces the base whole, `null` included (compose's `override`). */
  | { readonly kind: 'replace' }
  /** A mapping-or-list of `KEY=value` entries merged by key; the overlay's value (even `null`) wins per key. */
  | { readonly kind: 'keyed'; readonly listNull: boolean }
  /** A mapping-or-list of names (`depends_on`, `networks`): a list is read as names with `listValue`, then merged recursively. */
  | { readonly kind: 'names'; readonly listValue: () => unknown }
  /** A string-or-list appended as a list. */
  | { readonly kind: 'sequence' }
  /** `extra_hosts`: the union of host/address pairs (a host may map to several addresses). */
  | { readonly kind: 'hosts' }
  /** `logging`: merged only when both set the same driver (or one sets none), else replaced. */
  | { readonly kind: 'logging' }
  /** `build`: the string short form is `{context}`, then merged as a mapping. */
  | { readonly kind: 'build' }
  /** `networks.*.ipam.config`: entries merged by `subnet`. */
  | { readonly kind: 'ipam' };

const replace: MergeRule = { kind: 'replace' };
const keyed: MergeRule = { kind: 'keyed', listNull: false };
const sequence: MergeRule = { kind: 'sequence' };

const RULES: ReadonlyArray<readonly [string, MergeRule]> = [
  ['services.*.command', replace],
  ['services.*.entrypoint', replace],
  ['services.*.healthcheck.test', replace],
  ['services.*.ulimits.*', replace],
  ['services.*.environment', { kind: 'keyed', listNull: true }],
  ['services.*.build.args', { kind: 'keyed', listNull: true }],
  ['services.*.labels', keyed],
  ['services.*.annotations', keyed],
  ['services.*.sysctls', keyed],
  ['services.*.build.labels', keyed],
  ['services.*.build.additional_contexts', keyed],
  ['services.*.deploy.labels', keyed],
  ['services.*.volumes.*.volume.labels', keyed],
  ['networks.*.labels', keyed],
  ['volumes.*.labels', keyed],
  ['services.*.depends_on', { kind: 'names', listValue: () => ({ condition: 'service_started', required: true }) }],
  ['services.*.networks', { kind: 'names', listValue: () => null }],
  ['services.*.models', { kind: 'names', listValue: () => null }],
  ['services.*.dns', sequence],
  ['services.*.dns_opt', sequence],
  ['services.*.dns_search', sequence],
  ['services.*.env_file', sequence],
  ['services.*.label_file', sequence],
  ['services.*.tmpfs', sequence],
  ['services.*.extra_hosts', { kind: 'hosts' }],
  ['services.*.build.extra_hosts', { kind: 'hosts' }],
  ['services.*.logging', { kind: 'logging' }],
  ['services.*.build', { kind: 'build' }],
  ['networks.*.ipam.config', { kind: 'ipam' }],
];

/**
 * Lists whose entries must be unique after a merge: a later entry with the same key replaces the earlier one in
 * place (compose-go's `EnforceUnicity`). Lists not named here keep every entry.
 */
const UNIQUE: ReadonlyArray<readonly [string, ListKey]> = [
  ['services.*.ports', portKey],
  ['services.*.volumes', volumeKey],
  ['services.*.devices', deviceKey],
  ['services.*.secrets', mountKey('/run/secrets')],
  ['services.*.configs', mountKey('')],
  ['services.*.env_file', envFileKey],
  ['services.*.expose', exposeKey],
  ...[
    'services.*.environment', 'services.*.labels', 'services.*.annotations', 'services.*.sysctls',
    'services.*.build.args', 'services.*.build.labels', 'services.*.build.additional_contexts',
    'services.*.build.tags', 'services.*.build.platforms', 'services.*.deploy.labels',
    'services.*.cap_add', 'services.*.cap_drop', 'services.*.dns', 'services.*.dns_opt', 'services.*.dns_search',
    'services.*.links', 'services.*.profiles', 'services.*.tmpfs',
    'services.*.networks.*.aliases', 'services.*.networks.*.link_local_ips',
    'networks.*.labels', 'networks.*.ipam.options',
  ].map((pattern) => [pattern, keyValueKey] as const),
];

/** The special merge rule for the value at `path`, if compose has one. */
export function mergeRuleFor(path: ModelPath): MergeRule | undefined {
  return RULES.find(([pattern]) => matches(path, pattern))?.[1];
}

/** How entries of the list at `path` are identified for de-duplication, if compose de-duplicates it. */
export function uniqueKeyFor(path: ModelPath): ListKey | undefined {
  return UNIQUE.find(([pattern]) => matches(path, pattern))?.[1];
}

/** `services.*.ports` matches `['services', 'web', 'ports']`; `*` stands for any one key or list index. */
export function matches(path: ModelPath, pattern: string): boolean {
  const parts = pattern.split('.');
  if (parts.length !== path.length) return false;
  return parts.every((part, i) => part === '*' || part === String(path[i]));
}
