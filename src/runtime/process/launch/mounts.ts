import path from 'node:path';
import type { VolumeMount } from '../../../model/stack.js';

export interface MountRoots {
  /** Named volumes are folders here: `<stateDir>/volumes/<name>`. */
  readonly volumes: string;
  /** Anonymous volumes (and container paths under no mount) of this replica go here. */
  readonly anonymous: string;
}

/**
 * The host folder behind a container path: the mount with the longest target that contains it (a bind mount's
 * host path, a named volume's folder with its `subpath`), plus the rest of the path. `strict` returns undefined
 * for a path under no mount (or under an anonymous volume or tmpfs); otherwise those live under `anonymous`.
 */
export function hostPathFor(containerPath: string, mounts: readonly VolumeMount[], roots: MountRoots, strict = false): string | undefined {
  const target = path.posix.normalize(containerPath);
  const mount = mounts
    .filter((m) => target === trimSlash(m.target) || target.startsWith(`${trimSlash(m.target)}/`))
    .sort((a, b) => trimSlash(b.target).length - trimSlash(a.target).length)[0];
  const anonymous = path.join(roots.anonymous, target.replace(/^\/+/, '').replace(/\//g, '_') || 'root');
  if (!mount) return strict ? undefined : anonymous;
  const rest = path.posix.relative(trimSlash(mount.target), target);
  const base = mountSource(mount, roots);
  if (base === undefined) return strict ? undefined : path.join(roots.anonymous, trimSlash(mount.target).replace(/^\/+/, '').replace(/\//g, '_'), rest);
  return rest === '' ? base : path.join(base, rest);
}

function mountSource(mount: VolumeMount, roots: MountRoots): string | undefined {
  if (mount.type === 'bind' && mount.source) return mount.source;
  if (mount.type === 'volume' && mount.source) return path.join(roots.volumes, mount.source, mount.volume?.subpath ?? '');
  return undefined;
}

function trimSlash(p: string): string {
  const normalized = path.posix.normalize(p);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}
