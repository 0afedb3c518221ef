import type { Service, Volume, VolumeMount } from '../../model/stack.js';
import type { ExportContext } from './export-context.js';
import { kubeName } from './kube-name.js';
import type { ExportedObject } from './manifest.js';

/** The size of a claim when the volume does not say (`volumes: {data: {x-berth: {size: 10Gi}}}`). */
export const DEFAULT_VOLUME_SIZE = '1Gi';

const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** A service's pod volumes and the container's mounts of them. */
export interface PodVolumes {
  readonly volumes: Record<string, unknown>[];
  readonly mounts: Record<string, unknown>[];
  /** Names of the PersistentVolumeClaims mounted (created here or external). */
  readonly claims: string[];
}

/**
 * Maps each `volumes:` entry: a named volume → its PersistentVolumeClaim (the claim of an `external` volume must
 * already exist under the volume's name); an anonymous volume → emptyDir; tmpfs → emptyDir in memory; a bind mount
 * → emptyDir with a warning (host folders are not portable to a cluster; bake the files into the image or use a
 * ConfigMap). Other types are warned about and left out.
 */
export function podVolumes(ctx: ExportContext, service: Service): PodVolumes {
  const out: PodVolumes = { volumes: [], mounts: [], claims: [] };
  service.volumes.forEach((mount, index) => {
    const name = `vol-${index}`;
    const source = volumeSource(ctx, service, mount);
    if (source === undefined) return;
    if ('persistentVolumeClaim' in source) out.claims.push((source.persistentVolumeClaim as { claimName: string }).claimName);
    out.volumes.push({ name, ...source });
    out.mounts.push({
      name,
      mountPath: mount.target,
      ...(mount.readOnly ? { readOnly: true } : {}),
      ...(mount.volume?.subpath === undefined ? {} : { subPath: mount.volume.subpath }),
    });
  });
  return out;
}

function volumeSource(ctx: ExportContext, service: Service, mount: VolumeMount): Record<string, unknown> | undefined {
  const path = `services.${service.name}.volumes`;
  switch (mount.type) {
    case 'volume': {
      if (mount.source === undefined) return { emptyDir: {} };
      const volume = ctx.stack.volumes[mount.source];
      return { persistentVolumeClaim: { claimName: claimName(mount.source, volume) } };
    }
    case 'tmpfs':
      return { emptyDir: { medium: 'Memory', ...(mount.tmpfs?.size === undefined ? {} : { sizeLimit: `${Math.ceil(mount.tmpfs.size / 1048576)}Mi` }) } };
    case 'bind':
      ctx.warn(path, `bind mount ${mount.source ?? ''} → ${mount.target} is not portable to a cluster: exported as an empty emptyDir (bake the files into the image, or use a ConfigMap)`);
      return { emptyDir: {} };
    case 'npipe':
    case 'cluster':
    case 'image':
      ctx.warn(path, `a ${mount.type} mount at ${mount.target} has no Kubernetes equivalent: left out`);
      return undefined;
    default:
      return assertNever(mount.type);
  }
}

function claimName(key: string, volume: Volume | undefined): string {
  return volume?.external ? kubeName(volume.name) : kubeName(key);
}

/** One PersistentVolumeClaim per named, non-external volume that an exported service mounts. */
export function volumeClaims(ctx: ExportContext, services: readonly Service[]): ExportedObject[] {
  const used = new Set(services.flatMap((s) => s.volumes.filter((m) => m.type === 'volume' && m.source !== undefined).map((m) => m.source as string)));
  return [...used].sort().flatMap((key): ExportedObject[] => {
    const volume = ctx.stack.volumes[key];
    if (volume?.external) {
      ctx.warn(`volumes.${key}`, `external volume: a PersistentVolumeClaim named ${kubeName(volume.name)} must already exist`);
      return [];
    }
    const written = sizeOf(volume);
    if (written !== undefined && !QUANTITY.test(written)) ctx.warn(`volumes.${key}`, `x-berth.size ${JSON.stringify(written)} is not a quantity like 10Gi: using ${DEFAULT_VOLUME_SIZE}`);
    const size = written !== undefined && QUANTITY.test(written) ? written : DEFAULT_VOLUME_SIZE;
    return [{
      object: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: ctx.meta(kubeName(key)),
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
      },
      comment: size === written
        ? `Named volume ${key}: size from x-berth.size.`
        : `Named volume ${key}: ${DEFAULT_VOLUME_SIZE} is berth's default size; set volumes.${key}.x-berth.size to change it.`,
    }];
  });
}

function sizeOf(volume: Volume | undefined): string | undefined {
  const berth = volume?.other['x-berth'];
  if (typeof berth !== 'object' || berth === null) return undefined;
  const size = (berth as Record<string, unknown>).size;
  return typeof size === 'string' || typeof size === 'number' ? String(size) : undefined;
}

function assertNever(value: never): never {
  throw new Error(`unexpected volume type ${JSON.stringify(value)}`);
}
