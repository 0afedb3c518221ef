import { describe, expect, it } from 'vitest';
import { dependencyWaits, WAIT_IMAGE } from './dependency-waits.js';
import { ExportContext } from './export-context.js';
import { stackFrom } from './test-stack.js';

const COMPOSE = `
services:
  db:
    image: postgres:16
    restart: always
    healthcheck: {test: ["CMD", "pg_isready"]}
  cache:
    image: example/cache:1
    restart: always
    expose: ["7000"]
  worker:
    image: example/worker:1
    restart: always
  migrate:
    image: app:1
    restart: "no"
  web:
    image: app:1
    restart: always
    depends_on:
      db: {condition: service_healthy}
      cache: {condition: service_started}
      worker: {condition: service_started}
      migrate: {condition: service_completed_successfully}
`;

describe('depends_on in a pod', () => {
  it('waits for the Service port of each long-running dependency in an init container', () => {
    const stack = stackFrom(COMPOSE);
    const waits = dependencyWaits(new ExportContext(stack), stack.services.web!);
    expect(waits.initContainers).toEqual([
      { name: 'wait-for-cache', image: WAIT_IMAGE, command: ['sh', '-c', 'until nc -z -w 2 cache 7000; do echo waiting for cache:7000; sleep 2; done'] },
      { name: 'wait-for-db', image: WAIT_IMAGE, command: ['sh', '-c', 'until nc -z -w 2 db 5432; do echo waiting for db:5432; sleep 2; done'] },
    ]);
  });

  it('annotates the Jobs to run first and warns how to wait for them', () => {
    const stack = stackFrom(COMPOSE);
    const ctx = new ExportContext(stack);
    expect(dependencyWaits(ctx, stack.services.web!).annotations).toEqual({ 'berth.dev/apply-after-jobs': 'migrate' });
    expect(ctx.warnings).toContainEqual({ path: 'services.web.depends_on', message: expect.stringContaining('kubectl wait --for=condition=complete job/migrate') });
  });

  it('warns about a dependency it cannot wait for', () => {
    const stack = stackFrom(COMPOSE);
    const ctx = new ExportContext(stack);
    dependencyWaits(ctx, stack.services.web!);
    expect(ctx.warnings).toContainEqual({ path: 'services.web.depends_on.worker', message: expect.stringContaining('no port') });
  });
});
