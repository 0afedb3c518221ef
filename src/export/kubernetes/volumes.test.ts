import { describe, expect, it } from 'vitest';
import { exportKubernetes } from './export-kubernetes.js';
import { DEFAULT_VOLUME_SIZE } from './volumes.js';
import { stackFrom } from './test-stack.js';

const COMPOSE = `
services:
  db:
    image: postgres:16
    restart: always
    volumes:
      - pgdata:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
      - /scratch
      - type: tmpfs
        target: /run/cache
volumes:
  pgdata:
    x-berth: {size: 20Gi}
`;

describe('volumes', () => {
  it('makes a ReadWriteOnce claim per named volume with the x-berth size', () => {
    const claims = exportKubernetes(stackFrom(COMPOSE)).objects.filter((o) => o.object.kind === 'PersistentVolumeClaim');
    expect(claims.map((c) => c.object)).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'pgdata' }),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
    })]);
  });

  it('uses the default size, and says so in a comment, when the volume gives none', () => {
    const claim = exportKubernetes(stackFrom('services:\n  db:\n    image: postgres:16\n    restart: always\n    volumes: [data:/data]\nvolumes:\n  data: {}\n'))
      .objects.find((o) => o.object.kind === 'PersistentVolumeClaim');
    expect(claim?.object).toMatchObject({ spec: { resources: { requests: { storage: DEFAULT_VOLUME_SIZE } } } });
    expect(claim?.comment).toMatch(/default size/);
  });

  it('mounts the claim where compose mounts the volume; binds, anonymous volumes and tmpfs become emptyDirs', () => {
    const result = exportKubernetes(stackFrom(COMPOSE));
    const deployment = result.objects.find((o) => o.object.kind === 'Deployment')?.object;
    expect(deployment).toMatchObject({
      spec: {
        template: {
          spec: {
            containers: [{
              volumeMounts: [
                { name: 'vol-0', mountPath: '/var/lib/postgresql/data' },
                { name: 'vol-1', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
                { name: 'vol-2', mountPath: '/scratch' },
                { name: 'vol-3', mountPath: '/run/cache' },
              ],
            }],
            volumes: [
              { name: 'vol-0', persistentVolumeClaim: { claimName: 'pgdata' } },
              { name: 'vol-1', emptyDir: {} },
              { name: 'vol-2', emptyDir: {} },
              { name: 'vol-3', emptyDir: { medium: 'Memory' } },
            ],
          },
        },
      },
    });
    expect(result.warnings).toContainEqual({ path: 'services.db.volumes', message: expect.stringMatching(/bind mount .*init → \/docker-entrypoint-initdb.d is not portable/) });
  });

  it('emits no claim for an external volume and mounts the existing one by name', () => {
    const result = exportKubernetes(stackFrom('services:\n  db:\n    image: postgres:16\n    restart: always\n    volumes: [data:/data]\nvolumes:\n  data: {external: true, name: prod_data}\n'));
    expect(result.objects.some((o) => o.object.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(JSON.stringify(result.objects)).toContain('"claimName":"prod-data"');
    expect(result.warnings.map((w) => w.path)).toContain('volumes.data');
  });
});
