import { describe, expect, it } from 'vitest';
import { exportKubernetes } from './export-kubernetes.js';
import { renderStream } from './render-manifests.js';
import { SECRET_PLACEHOLDER } from './secrets.js';
import { envEntries, isSecretVariable } from './secret-env.js';
import { stackFrom } from './test-stack.js';

const COMPOSE = `
secrets:
  db_pass: {environment: DB_PASS_SOURCE}
services:
  api:
    image: api:1
    restart: always
    environment:
      DATABASE_PASSWORD: hunter2-real
      JWT_SECRET: s3cr3t-real
      GITHUB_TOKEN: ghp_real
      STRIPE_API_KEY: sk_live_real
      DB_PASS_SOURCE: via-compose-secret-real
      LOG_LEVEL: debug
    secrets: [db_pass]
  worker:
    image: worker:1
    environment:
      JWT_SECRET: another-real
`;

describe('secret environment values', () => {
  it.each(['DATABASE_PASSWORD', 'JWT_SECRET', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'DB_PASS_SOURCE'])('treats %s as secret', (name) => {
    expect(isSecretVariable(stackFrom(COMPOSE), name)).toBe(true);
  });

  it('keeps ordinary values inline', () => {
    const stack = stackFrom(COMPOSE);
    expect(envEntries(stack, stack.services.api!)).toContainEqual({ name: 'LOG_LEVEL', kind: 'value', value: 'debug' });
  });

  it('never writes a secret value into any manifest, and references it with secretKeyRef', () => {
    const stack = stackFrom(COMPOSE);
    const text = renderStream(exportKubernetes(stack).objects);
    for (const value of ['hunter2-real', 's3cr3t-real', 'ghp_real', 'sk_live_real', 'via-compose-secret-real', 'another-real']) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain('secretKeyRef');
    expect(text).toContain(SECRET_PLACEHOLDER);
  });

  it('gives each service its own key when services disagree on a secret value', () => {
    const stack = stackFrom(COMPOSE);
    expect(envEntries(stack, stack.services.worker!)).toEqual([{ name: 'JWT_SECRET', kind: 'secret', secretKey: 'worker.JWT_SECRET' }]);
    expect(envEntries(stack, stack.services.api!)).toContainEqual({ name: 'DATABASE_PASSWORD', kind: 'secret', secretKey: 'DATABASE_PASSWORD' });
  });

  it('emits the env Secret and the compose secret with placeholders and warns with the keys to set', () => {
    const result = exportKubernetes(stackFrom(COMPOSE));
    const secrets = result.objects.filter((o) => o.object.kind === 'Secret').map((o) => o.object);
    expect(secrets.map((s) => [s.metadata.name, s.stringData])).toEqual([
      ['db-pass', { db_pass: SECRET_PLACEHOLDER }],
      ['shop-env', Object.fromEntries(['DATABASE_PASSWORD', 'DB_PASS_SOURCE', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'api.JWT_SECRET', 'worker.JWT_SECRET'].map((k) => [k, SECRET_PLACEHOLDER]))],
    ]);
    expect(result.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('DATABASE_PASSWORD, DB_PASS_SOURCE'));
  });

  it('mounts a compose secret where compose does', () => {
    const deployment = exportKubernetes(stackFrom(COMPOSE)).objects.find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'api');
    const text = JSON.stringify(deployment);
    expect(text).toContain('"mountPath":"/run/secrets/db_pass"');
    expect(text).toContain('"secretName":"db-pass"');
  });
});
