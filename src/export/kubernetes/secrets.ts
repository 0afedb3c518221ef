import type { Service } from '../../model/stack.js';
import type { ExportContext } from './export-context.js';
import { composeSecretName } from './compose-secrets.js';
import type { ExportedObject } from './manifest.js';
import { envEntries, envSecretName } from './secret-env.js';

/** What every secret value is replaced with: berth never writes a real secret into a manifest. */
export const SECRET_PLACEHOLDER = '<set me>';

/**
 * The Secrets of the exported services, with placeholder values only: the stack's env Secret (every secret-looking
 * variable, see secret-env.ts) and one Secret per compose top-level secret a service uses. Warns with the keys to set.
 */
export function secretObjects(ctx: ExportContext, services: readonly Service[]): ExportedObject[] {
  const out: ExportedObject[] = [];
  const envKeys = [...new Set(services.flatMap((s) => envEntries(ctx.stack, s).flatMap((e) => (e.kind === 'secret' ? [e.secretKey] : []))))].sort();
  if (envKeys.length > 0) {
    const name = envSecretName(ctx.stack);
    out.push(secret(ctx, name, envKeys, 'Secret environment variables: replace each placeholder before applying (kubectl create secret generic … --dry-run=client -o yaml).'));
    ctx.warn(`secrets`, `set the values of Secret ${name} before applying: ${envKeys.join(', ')}`);
  }
  const used = [...new Set(services.flatMap((s) => s.secrets.map((ref) => ref.source)))].sort();
  for (const key of used) {
    const definition = ctx.stack.secrets[key];
    const name = composeSecretName(key);
    if (definition?.external) {
      ctx.warn(`secrets.${key}`, `external secret: a Secret named ${name} with key ${key} must already exist`);
      continue;
    }
    out.push(secret(ctx, name, [key], `Compose secret ${key}: replace the placeholder with the content of ${definition?.file === undefined ? 'the secret' : 'its file'}.`));
    ctx.warn(`secrets.${key}`, `set the value of Secret ${name} (key ${key}) before applying`);
  }
  return out;
}

function secret(ctx: ExportContext, name: string, keys: readonly string[], comment: string): ExportedObject {
  return {
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: ctx.meta(name),
      type: 'Opaque',
      stringData: Object.fromEntries(keys.map((key) => [key, SECRET_PLACEHOLDER])),
    },
    comment,
  };
}
