import type { VolumeMount, VolumeMountType } from '../../model/stack.js';
import { isHostPath } from '../canonical/volumes.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { readBytes } from './bytes.js';
import { resolveHostPath, type PathBase } from './paths.js';
import { isDict, readBoolean, readInteger, readString, typeError, type Dict } from './read.js';

const TYPES: readonly VolumeMountType[] = ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'];
const MODELLED = new Set(['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs', 'consistency']);
const SUB_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  bind: new Set(['create_host_path', 'propagation', 'selinux']),
  volume: new Set(['nocopy', 'subpath']),
  tmpfs: new Set(['size', 'mode']),
};

/**
 * Long-form `volumes:` entries → VolumeMounts. Bind sources become absolute (relative to the project folder, `~`
 * to the home folder); a bind creates its missing host folder only if it came from the short syntax or says
 * `bind: {create_host_path: true}` (a long-form `bind:` block defaults it to true, as compose-go does).
 */
export function readVolumeMounts(value: unknown, ctx: StageContext, path: ModelPath, base: PathBase): VolumeMount[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    typeError(ctx, path, 'a list of volumes', value);
    return [];
  }
  const out: VolumeMount[] = [];
  value.forEach((entry, index) => {
    if (!isDict(entry)) typeError(ctx, [...path, index], 'a volume mapping', entry);
    else {
      const mount = readMount(entry, ctx, [...path, index], base);
      if (mount) out.push(mount);
    }
  });
  return out;
}

function readMount(entry: Dict, ctx: StageContext, path: ModelPath, base: PathBase): VolumeMount | undefined {
  const rawSource = readString(entry.source, ctx, [...path, 'source']);
  const type = readType(entry.type, rawSource, ctx, [...path, 'type']);
  const target = readString(entry.target, ctx, [...path, 'target']);
  if (target === undefined || target === '') {
    ctx.error('SPEC_TYPE', [...path, 'target'], 'a volume needs a `target:` path inside the container');
    return undefined;
  }
  const source = rawSource === undefined || rawSource === '' ? undefined : type === 'bind' ? resolveHostPath(rawSource, base) : rawSource;
  const consistency = readString(entry.consistency, ctx, [...path, 'consistency']);
  const other = otherMountKeys(entry);
  return {
    type,
    ...(source === undefined ? {} : { source }),
    target,
    readOnly: readBoolean(entry.read_only, ctx, [...path, 'read_only']) ?? false,
    ...(type === 'bind' ? { bind: readBind(entry.bind, ctx, [...path, 'bind']) } : {}),
    ...(type === 'volume' ? { volume: readVolumeOptions(entry.volume, ctx, [...path, 'volume']) } : {}),
    ...(type === 'tmpfs' && isDict(entry.tmpfs) ? { tmpfs: readTmpfs(entry.tmpfs, ctx, [...path, 'tmpfs']) } : {}),
    ...(consistency === undefined ? {} : { consistency }),
    ...(Object.keys(other).length === 0 ? {} : { other }),
  };
}

function readType(value: unknown, source: string | undefined, ctx: StageContext, path: ModelPath): VolumeMountType {
  if (value === undefined || value === null) return source !== undefined && isHostPath(source) ? 'bind' : 'volume';
  const type = TYPES.find((t) => t === value);
  if (type) return type;
  ctx.error('SPEC_TYPE', path, `unknown volume type ${JSON.stringify(value)}`, { hint: `use one of ${TYPES.join(', ')}` });
  return 'volume';
}

function readBind(value: unknown, ctx: StageContext, path: ModelPath): NonNullable<VolumeMount['bind']> {
  if (!isDict(value)) return { createHostPath: false };
  const propagation = readString(value.propagation, ctx, [...path, 'propagation']);
  const selinux = readString(value.selinux, ctx, [...path, 'selinux']);
  return {
    createHostPath: readBoolean(value.create_host_path, ctx, [...path, 'create_host_path']) ?? true,
    ...(propagation === undefined ? {} : { propagation }),
    ...(selinux === undefined ? {} : { selinux }),
  };
}

function readVolumeOptions(value: unknown, ctx: StageContext, path: ModelPath): NonNullable<VolumeMount['volume']> {
  if (!isDict(value)) return { nocopy: false };
  const subpath = readString(value.subpath, ctx, [...path, 'subpath']);
  return { nocopy: readBoolean(value.nocopy, ctx, [...path, 'nocopy']) ?? false, ...(subpath === undefined ? {} : { subpath }) };
}

function readTmpfs(value: Dict, ctx: StageContext, path: ModelPath): NonNullable<VolumeMount['tmpfs']> {
  const size = readBytes(value.size, ctx, [...path, 'size']);
  const mode = typeof value.mode === 'string' && /^0[0-7]+$/.test(value.mode) ? parseInt(value.mode, 8) : readInteger(value.mode, ctx, [...path, 'mode']);
  return { ...(size === undefined ? {} : { size }), ...(mode === undefined ? {} : { mode }) };
}

/** Keys the model does not type, in compose's shape: top-level ones, and unknown keys of `bind`/`volume`/`tmpfs`. */
function otherMountKeys(entry: Dict): Dict {
  const other: Dict = {};
  for (const [key, value] of Object.entries(entry)) {
    if (!MODELLED.has(key)) other[key] = value;
    const known = SUB_KEYS[key];
    if (known && isDict(value)) {
      const extra = Object.fromEntries(Object.entries(value).filter(([sub]) => !known.has(sub)));
      if (Object.keys(extra).length > 0) other[key] = extra;
    }
  }
  return other;
}
