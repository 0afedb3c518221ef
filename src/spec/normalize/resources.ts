import type { ConfigDefinition, Network, SecretDefinition, Service, Volume } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import { resolveHostPath } from './paths.js';
import { otherKeys, readBoolean, readDict, readString, readStringMap, type Dict } from './read.js';
import type { NormalizeScope } from './scope.js';

const NETWORK_KEYS = new Set(['name', 'driver', 'external', 'internal', 'attachable', 'labels']);
const VOLUME_KEYS = new Set(['name', 'driver', 'external', 'labels']);

/**
 * Top-level `networks`, plus the implicit `default` network when a service joins it without declaring it.
 * Engine names are `<project>_<key>` unless `name:` is set; an external network is named by `name:` or its key.
 */
export function readNetworks(value: unknown, services: Readonly<Record<string, Service>>, scope: NormalizeScope): Record<string, Network> {
  const out: Record<string, Network> = {};
  for (const [key, dict, path] of entries(value, 'networks', scope)) {
    const driver = readString(dict.driver, scope.ctx, [...path, 'driver']);
    out[key] = {
      ...identity(key, dict, scope, path),
      ...(driver === undefined ? {} : { driver }),
      internal: readBoolean(dict.internal, scope.ctx, [...path, 'internal']) ?? false,
      attachable: readBoolean(dict.attachable, scope.ctx, [...path, 'attachable']) ?? false,
      labels: readStringMap(dict.labels, scope.ctx, [...path, 'labels'], ''),
      other: otherKeys(dict, NETWORK_KEYS),
    };
  }
  const usesDefault = Object.values(services).some((service) => 'default' in service.networks);
  if (usesDefault && !('default' in out)) {
    out.default = { name: `${scope.projectName}_default`, external: false, internal: false, attachable: false, labels: {}, other: {} };
  }
  return out;
}

/** Top-level `volumes`, named like networks. */
export function readVolumes(value: unknown, scope: NormalizeScope): Record<string, Volume> {
  const out: Record<string, Volume> = {};
  for (const [key, dict, path] of entries(value, 'volumes', scope)) {
    const driver = readString(dict.driver, scope.ctx, [...path, 'driver']);
    out[key] = {
      ...identity(key, dict, scope, path),
      ...(driver === undefined ? {} : { driver }),
      labels: readStringMap(dict.labels, scope.ctx, [...path, 'labels'], ''),
      other: otherKeys(dict, VOLUME_KEYS),
    };
  }
  return out;
}

/** Top-level `secrets`; a `file:` becomes absolute. */
export function readSecrets(value: unknown, scope: NormalizeScope): Record<string, SecretDefinition> {
  const out: Record<string, SecretDefinition> = {};
  for (const [key, dict, path] of entries(value, 'secrets', scope)) out[key] = fileObject(key, dict, scope, path);
  return out;
}

/** Top-level `configs`; like secrets, plus inline `content:`. */
export function readConfigs(value: unknown, scope: NormalizeScope): Record<string, ConfigDefinition> {
  const out: Record<string, ConfigDefinition> = {};
  for (const [key, dict, path] of entries(value, 'configs', scope)) {
    const content = readString(dict.content, scope.ctx, [...path, 'content']);
    out[key] = { ...fileObject(key, dict, scope, path), ...(content === undefined ? {} : { content }) };
  }
  return out;
}

function fileObject(key: string, dict: Dict, scope: NormalizeScope, path: ModelPath): SecretDefinition {
  const file = readString(dict.file, scope.ctx, [...path, 'file']);
  const environment = readString(dict.environment, scope.ctx, [...path, 'environment']);
  return {
    ...identity(key, dict, scope, path),
    ...(file === undefined ? {} : { file: resolveHostPath(file, scope.base) }),
    ...(environment === undefined ? {} : { environment }),
  };
}

function identity(key: string, dict: Dict, scope: NormalizeScope, path: ModelPath): { name: string; external: boolean } {
  const external = readBoolean(dict.external, scope.ctx, [...path, 'external']) ?? false;
  const name = readString(dict.name, scope.ctx, [...path, 'name']) ?? (external ? key : `${scope.projectName}_${key}`);
  return { name, external };
}

function entries(value: unknown, section: string, scope: NormalizeScope): Array<[string, Dict, ModelPath]> {
  const dict = readDict(value, scope.ctx, [section]) ?? {};
  return Object.entries(dict).map(([key, entry]) => [key, readDict(entry, scope.ctx, [section, key]) ?? {}, [section, key]]);
}
