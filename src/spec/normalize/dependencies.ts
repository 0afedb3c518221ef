import type { Dependency, DependencyCondition } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isDict, readBoolean, readDict, readStringList, type Dict } from './read.js';

const CONDITIONS: readonly DependencyCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];
const NAMESPACE_KEYS = ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'] as const;

/**
 * `depends_on` → Dependencies (condition `service_started`, `required: true`, `restart: false` by default), plus
 * the dependencies compose infers when they are not declared: `links` and `network_mode`/`ipc`/`pid`/`uts`/
 * `cgroup: service:NAME` (restarted with the dependency), and `volumes_from: NAME` (not restarted).
 */
export function readDependencies(service: Dict, ctx: StageContext, path: ModelPath): Record<string, Dependency> {
  const declared = readDict(service.depends_on, ctx, [...path, 'depends_on']) ?? {};
  const out: Record<string, Dependency> = {};
  for (const [name, entry] of Object.entries(declared)) out[name] = readDependency(entry, ctx, [...path, 'depends_on', name]);
  const infer = (name: string, restart: boolean): void => {
    if (name !== '' && !Object.hasOwn(out, name)) out[name] = { condition: 'service_started', restart, required: true };
  };
  for (const link of readStringList(service.links, ctx, [...path, 'links'])) infer(link.split(':')[0] ?? '', true);
  for (const key of NAMESPACE_KEYS) {
    const value = service[key];
    if (typeof value === 'string' && value.startsWith('service:')) infer(value.slice('service:'.length), true);
  }
  for (const source of readStringList(service.volumes_from, ctx, [...path, 'volumes_from'])) {
    if (!source.startsWith('container:')) infer(source.split(':')[0] ?? '', false);
  }
  return out;
}

function readDependency(entry: unknown, ctx: StageContext, path: ModelPath): Dependency {
  const dict = isDict(entry) ? entry : {};
  return {
    condition: readCondition(dict.condition, ctx, [...path, 'condition']),
    restart: readBoolean(dict.restart, ctx, [...path, 'restart']) ?? false,
    required: readBoolean(dict.required, ctx, [...path, 'required']) ?? true,
  };
}

function readCondition(value: unknown, ctx: StageContext, path: ModelPath): DependencyCondition {
  if (value === undefined || value === null) return 'service_started';
  const condition = CONDITIONS.find((c) => c === value);
  if (condition) return condition;
  ctx.error('SPEC_TYPE', path, `unknown depends_on condition ${JSON.stringify(value)}`, { hint: `use one of ${CONDITIONS.join(', ')}` });
  return 'service_started';
}
