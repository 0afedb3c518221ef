import type { DeploySpec, Resources, UpdateConfig } from '../../model/stack.js';
import { readDuration } from '../duration.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { readBytes } from './bytes.js';
import { isDict, otherKeys, readDict, readInteger, readNumber, readString, readStringList, readStringMap, type Dict } from './read.js';

const DEPLOY_KEYS = new Set(['mode', 'replicas', 'resources', 'update_config', 'rollback_config', 'restart_policy', 'placement', 'labels', 'endpoint_mode']);
const RESOURCE_KEYS = new Set(['cpus', 'memory', 'pids']);
const MODES: readonly DeploySpec['mode'][] = ['replicated', 'global', 'replicated-job', 'global-job'];

/**
 * `deploy:` → DeploySpec, `undefined` when absent. Defaults are compose's: mode `replicated`; an
 * `update_config`/`rollback_config` block gets parallelism 1, delay 0s, failure_action `pause`, monitor 0s,
 * max_failure_ratio 0, order `stop-first`; a `restart_policy` block gets condition `any`.
 */
export function readDeploy(value: unknown, ctx: StageContext, path: ModelPath): DeploySpec | undefined {
  if (value === undefined || value === null) return undefined;
  const dict = readDict(value, ctx, path);
  if (!dict) return undefined;
  const resources = readDict(dict.resources, ctx, [...path, 'resources']) ?? {};
  const replicas = readInteger(dict.replicas, ctx, [...path, 'replicas']);
  const endpointMode = dict.endpoint_mode === 'vip' || dict.endpoint_mode === 'dnsrr' ? dict.endpoint_mode : undefined;
  const other = otherKeys(dict, DEPLOY_KEYS);
  const updateConfig = readUpdateConfig(dict.update_config, ctx, [...path, 'update_config']);
  const rollbackConfig = readUpdateConfig(dict.rollback_config, ctx, [...path, 'rollback_config']);
  const restartPolicy = readRestartPolicy(dict.restart_policy, ctx, [...path, 'restart_policy']);
  const placement = readPlacement(dict.placement, ctx, [...path, 'placement']);
  return {
    mode: readMode(dict.mode, ctx, [...path, 'mode']),
    ...(replicas === undefined ? {} : { replicas }),
    limits: readResources(resources.limits, ctx, [...path, 'resources', 'limits']),
    reservations: readResources(resources.reservations, ctx, [...path, 'resources', 'reservations']),
    ...(updateConfig === undefined ? {} : { updateConfig }),
    ...(rollbackConfig === undefined ? {} : { rollbackConfig }),
    ...(restartPolicy === undefined ? {} : { restartPolicy }),
    ...(placement === undefined ? {} : { placement }),
    labels: readStringMap(dict.labels, ctx, [...path, 'labels'], ''),
    ...(endpointMode === undefined ? {} : { endpointMode }),
    ...(Object.keys(other).length === 0 ? {} : { other }),
  };
}

function readMode(value: unknown, ctx: StageContext, path: ModelPath): DeploySpec['mode'] {
  if (value === undefined || value === null) return 'replicated';
  const mode = MODES.find((m) => m === value);
  if (mode) return mode;
  ctx.error('SPEC_TYPE', path, `unknown deploy mode ${JSON.stringify(value)}`, { hint: `use one of ${MODES.join(', ')}` });
  return 'replicated';
}

/** `cpus: '0.5'` → 0.5, `memory: 2G` → bytes, `pids: 100`; other keys (devices, …) kept verbatim. */
export function readResources(value: unknown, ctx: StageContext, path: ModelPath): Resources {
  const dict = readDict(value, ctx, path) ?? {};
  const cpus = readNumber(dict.cpus, ctx, [...path, 'cpus']);
  const memoryBytes = readBytes(dict.memory, ctx, [...path, 'memory']);
  const pids = readInteger(dict.pids, ctx, [...path, 'pids']);
  const other = otherKeys(dict, RESOURCE_KEYS);
  return {
    ...(cpus === undefined ? {} : { cpus }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(pids === undefined ? {} : { pids }),
    ...(Object.keys(other).length === 0 ? {} : { other }),
  };
}

function readUpdateConfig(value: unknown, ctx: StageContext, path: ModelPath): UpdateConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const dict = readDict(value, ctx, path);
  if (!dict) return undefined;
  const action = dict.failure_action;
  return {
    parallelism: readInteger(dict.parallelism, ctx, [...path, 'parallelism']) ?? 1,
    delayMs: durationOr(dict, 'delay', 0, ctx, path),
    failureAction: action === 'continue' || action === 'rollback' ? action : 'pause',
    monitorMs: durationOr(dict, 'monitor', 0, ctx, path),
    maxFailureRatio: readNumber(dict.max_failure_ratio, ctx, [...path, 'max_failure_ratio']) ?? 0,
    order: dict.order === 'start-first' ? 'start-first' : 'stop-first',
  };
}

function readRestartPolicy(value: unknown, ctx: StageContext, path: ModelPath): DeploySpec['restartPolicy'] {
  if (value === undefined || value === null) return undefined;
  const dict = readDict(value, ctx, path);
  if (!dict) return undefined;
  const condition = dict.condition === 'none' || dict.condition === 'on-failure' ? dict.condition : 'any';
  const delayMs = dict.delay === undefined ? undefined : readDuration(dict.delay, ctx, [...path, 'delay']);
  const maxAttempts = readInteger(dict.max_attempts, ctx, [...path, 'max_attempts']);
  const windowMs = dict.window === undefined ? undefined : readDuration(dict.window, ctx, [...path, 'window']);
  return {
    condition,
    ...(delayMs === undefined ? {} : { delayMs }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(windowMs === undefined ? {} : { windowMs }),
  };
}

function readPlacement(value: unknown, ctx: StageContext, path: ModelPath): DeploySpec['placement'] {
  if (value === undefined || value === null) return undefined;
  const dict = readDict(value, ctx, path) ?? {};
  const preferences = Array.isArray(dict.preferences)
    ? dict.preferences.map((p: unknown) => (isDict(p) ? readString(p.spread, ctx, [...path, 'preferences']) : undefined))
      .filter((p): p is string => p !== undefined)
    : [];
  const maxReplicasPerNode = readInteger(dict.max_replicas_per_node, ctx, [...path, 'max_replicas_per_node']);
  return {
    constraints: readStringList(dict.constraints, ctx, [...path, 'constraints']),
    preferences,
    ...(maxReplicasPerNode === undefined ? {} : { maxReplicasPerNode }),
  };
}

function durationOr(dict: Dict, key: string, fallback: number, ctx: StageContext, path: ModelPath): number {
  const value = dict[key];
  return value === undefined || value === null ? fallback : readDuration(value, ctx, [...path, key]) ?? fallback;
}
