import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BerthError, formatWarning } from '../../errors.js';
import type { Stack } from '../../model/stack.js';
import { loadStack } from '../../spec/load.js';
import { defaultProjectOptions } from '../../spec/project-options.js';
import { FIXTURES, projectOptionsForCase } from '../../../test/golden/golden-cases.js';
import { RouteTable } from './route-table.js';
import { routesFromStack } from './routes-from-stack.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stackOf(compose: Record<string, unknown>): Stack {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-routes-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'compose.yml'), stringify(compose));
  return loadStack(defaultProjectOptions({ workingDirectory: dir, environment: { HOME: dir } })).stack;
}

function seed004(): Stack {
  return loadStack(projectOptionsForCase(path.join(FIXTURES, 'golden', 'seed-004-traefik'))).stack;
}

describe('routesFromStack', () => {
  it('reads seed 004\'s Traefik labels: api and dashboard hosts on ports 8000 and 3000', () => {
    const { routes } = routesFromStack(seed004());
    expect(routes).toEqual([
      { id: 'backend#0', service: 'backend', hosts: ['api.domain.com'], pathPrefix: '/', stripPrefix: false, targetPort: 8000, options: {} },
      { id: 'frontend#0', service: 'frontend', hosts: ['dashboard.domain.com'], pathPrefix: '/', stripPrefix: false, targetPort: 3000, options: {} },
    ]);
    const table = RouteTable.compile(routes);
    expect(table.match('api.domain.com', '/api/v1/users')?.route.targetPort).toBe(8000);
    expect(table.match('Dashboard.Domain.com:443', '/login')?.route.service).toBe('frontend');
    expect(table.match('domain.com', '/')).toBeUndefined();
  });

  it('warns about each seed 004 label berth ignores, naming the label', () => {
    const warnings = routesFromStack(seed004()).warnings.map(formatWarning);
    const routers = 'traefik.http.routers.feature-models';
    expect(warnings).toContain(`warning: services.backend.labels["${routers}-backend-https.tls.certresolver"]: tls is automatic with berth's ACME; certresolver ignored`);
    expect(warnings).toContain(`warning: services.frontend.labels["${routers}-frontend-https.tls.certresolver"]: tls is automatic with berth's ACME; certresolver ignored`);
    expect(warnings).toContain(`warning: services.backend.labels["${routers}-backend-http.entrypoints"]: berth's proxy serves every route on its HTTP and HTTPS ports (x-berth.proxy); entrypoints ignored`);
    expect(warnings).toContain(`warning: services.backend.labels["${routers}-backend-http.middlewares"]: middleware https-redirect is not defined in this service's labels; ignored (berth's middlewares, HTTP→HTTPS redirect included, are set in x-berth)`);
    expect(warnings).toContain('warning: services.frontend.labels["traefik.docker.network"]: a Docker provider setting; berth reaches replicas directly, ignored');
    expect(warnings).toContain('warning: services.backend.labels["traefik.constraint-label"]: a Traefik constraint; berth routes every service that declares routes, ignored');
    expect(warnings).toHaveLength(12);
  });

  it('turns each path of an x-berth route into a route, with ids per service in order', () => {
    const stack = stackOf({
      services: {
        api: {
          image: 'example/api', ports: ['8080:8000'],
          'x-berth': { routes: [{ host: ['api.example.com', '*.api.example.com'], path: ['/v1', '/v2'], strip_prefix: true }, { host: 'admin.example.com', port: 9000 }] },
        },
        web: { image: 'example/web', expose: ['3000-3001'], 'x-berth': { routes: [{ host: 'example.com' }] } },
      },
    });
    expect(routesFromStack(stack)).toEqual({
      routes: [
        { id: 'api#0', service: 'api', hosts: ['api.example.com', '*.api.example.com'], pathPrefix: '/v1', stripPrefix: true, targetPort: 8000, options: {} },
        { id: 'api#1', service: 'api', hosts: ['api.example.com', '*.api.example.com'], pathPrefix: '/v2', stripPrefix: true, targetPort: 8000, options: {} },
        { id: 'api#2', service: 'api', hosts: ['admin.example.com'], pathPrefix: '/', stripPrefix: false, targetPort: 9000, options: {} },
        { id: 'web#0', service: 'web', hosts: ['example.com'], pathPrefix: '/', stripPrefix: false, targetPort: 3000, options: {} },
      ],
      warnings: [],
    });
  });

  it('prefers x-berth routes over Traefik labels on the same service, with a warning', () => {
    const stack = stackOf({
      services: {
        api: {
          image: 'example/api', expose: ['8000'],
          labels: { 'traefik.enable': 'true', 'traefik.http.routers.api.rule': 'Host(`old.example.com`)' },
          'x-berth': { routes: [{ host: 'api.example.com' }] },
        },
      },
    });
    const { routes, warnings } = routesFromStack(stack);
    expect(routes.map((r) => r.hosts)).toEqual([['api.example.com']]);
    expect(warnings.map(formatWarning)).toEqual(['warning: services.api.labels: Traefik labels ignored: the service declares x-berth.routes']);
  });

  it('refuses an x-berth route without a port when the service has neither ports nor expose, naming the service', () => {
    const stack = stackOf({ services: { worker: { image: 'example/worker', 'x-berth': { routes: [{ host: 'w.example.com' }] } } } });
    let error: unknown;
    try {
      routesFromStack(stack);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BerthError);
    expect((error as BerthError).format()).toBe(
      'SPEC_BERTH services.worker.x-berth.routes[0]: service worker has no port to route to\n'
      + '  hint: give the route a `port`, or list the port under the service\'s `ports` or `expose`',
    );
  });

  it('hands each route its service\'s x-berth.middlewares as options', () => {
    const stack = stackOf({
      services: { api: { image: 'example/api', expose: ['8000'], 'x-berth': { routes: [{ host: 'api.example.com', path: ['/a', '/b'] }], middlewares: { max_body_size: '1k' } } } },
    });
    const middlewares = stack.services.api?.berth.middlewares;
    expect(middlewares).toBeDefined();
    expect(routesFromStack(stack).routes.map((r) => r.options)).toEqual([middlewares, middlewares]);
  });

  it('gives no routes for a stack that declares none', () => {
    expect(routesFromStack(stackOf({ services: { db: { image: 'postgres:17' } } }))).toEqual({ routes: [], warnings: [] });
  });
});
