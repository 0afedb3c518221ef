import { describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { exportKubernetes } from './export-kubernetes.js';
import { stackFrom } from './test-stack.js';
import { validateKubeObject } from './test-validate.js';

/** A stack that uses every mapping at once. */
const RICH = `
x-berth:
  tls: {acme: {email: ops@example.com}}
secrets:
  api_key: {file: ./api_key.txt}
services:
  migrate:
    image: shop/api:2
    command: ./manage migrate
    restart: on-failure:2
    deploy: {mode: replicated-job}
    depends_on: {db: {condition: service_healthy}}
  api:
    build: ./api
    restart: always
    ports: ["8000:8000"]
    environment: {DATABASE_URL: "postgres://db/shop", SESSION_SECRET: real-value}
    secrets: [api_key]
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    deploy:
      replicas: 3
      update_config: {parallelism: 2, order: stop-first}
      resources: {limits: {cpus: "1.5", memory: 256M}, reservations: {cpus: "0.1", memory: 64M}}
    x-berth:
      routes: [{host: shop.example.com, path: /api, strip_prefix: true}]
      health: {http: /healthz, start_period: 20s}
    privileged: true
    network_mode: host
  db:
    image: postgres:16
    restart: unless-stopped
    environment: {POSTGRES_PASSWORD: real-db-password}
    volumes: [pgdata:/var/lib/postgresql/data]
    healthcheck: {test: "pg_isready", interval: 5s, start_period: 30s}
volumes:
  pgdata: {}
`;

describe('exportKubernetes', () => {
  it('emits objects that all validate against the Kubernetes schema', () => {
    const { objects } = exportKubernetes(stackFrom(RICH));
    expect(objects.length).toBeGreaterThan(6);
    for (const { object } of objects) expect(() => validateKubeObject(object), `${object.kind}/${object.metadata.name}`).not.toThrow();
  });

  it('orders objects by kind, then by name', () => {
    const { objects } = exportKubernetes(stackFrom(RICH));
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual([
      'Secret/api-key', 'Secret/shop-env', 'PersistentVolumeClaim/pgdata', 'Service/api', 'Service/db',
      'Job/migrate', 'Deployment/api', 'Deployment/db', 'Ingress/api',
    ]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(exportKubernetes(stackFrom(RICH)))).toBe(JSON.stringify(exportKubernetes(stackFrom(RICH))));
  });

  it('sets the namespace on every object when asked', () => {
    const { objects } = exportKubernetes(stackFrom(RICH), { namespace: 'prod' });
    expect(objects.every((o) => o.object.metadata.namespace === 'prod')).toBe(true);
  });

  it('exports only the named services', () => {
    const { objects } = exportKubernetes(stackFrom(RICH), { services: ['db'] });
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['Secret/shop-env', 'PersistentVolumeClaim/pgdata', 'Service/db', 'Deployment/db']);
  });

  it('refuses a service that is not in the stack', () => {
    expect(() => exportKubernetes(stackFrom(RICH), { services: ['nope'] })).toThrow(expect.objectContaining({ code: 'USAGE' }) as BerthError);
  });

  it('warns about every unsupported key, naming the service and key', () => {
    const paths = exportKubernetes(stackFrom(RICH)).warnings.map((w) => w.path);
    expect(paths).toEqual(expect.arrayContaining(['services.api.privileged', 'services.api.network_mode']));
  });
});
