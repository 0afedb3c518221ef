import type { Service } from '../../model/stack.js';
import { kubeName } from './kube-name.js';

/** Where compose puts a service's secret files when `target` is not absolute. */
const SECRETS_DIR = '/run/secrets';

/** The Secret that holds a top-level compose secret (one key, named like the secret). */
export function composeSecretName(key: string): string {
  return kubeName(key);
}

/**
 * A service's compose `secrets:` as Secret volumes mounted where compose mounts them (`/run/secrets/<target>`), one
 * file each. The values are never read: the Secret objects carry placeholders (see secrets.ts).
 */
export function secretMounts(service: Service): { volumes: Record<string, unknown>[]; mounts: Record<string, unknown>[] } {
  const volumes: Record<string, unknown>[] = [];
  const mounts: Record<string, unknown>[] = [];
  service.secrets.forEach((ref, index) => {
    const name = `secret-${index}`;
    const target = ref.target ?? ref.source;
    const mountPath = target.startsWith('/') ? target : `${SECRETS_DIR}/${target}`;
    volumes.push({
      name,
      secret: { secretName: composeSecretName(ref.source), ...(ref.mode === undefined ? {} : { defaultMode: ref.mode }) },
    });
    mounts.push({ name, mountPath, subPath: ref.source, readOnly: true });
  });
  return { volumes, mounts };
}
