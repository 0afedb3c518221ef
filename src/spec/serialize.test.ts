import { describe, expect, it } from 'vitest';
import { interpolateTree } from './interpolate.js';
import { loadDict } from './normalize/test-helpers.js';
import { toComposeDocument } from './serialize.js';
import { StageContext } from './stage-context.js';

/** What the loader does first with a printed document: interpolation turns `$$` back into `$`. */
function reread(printed: Record<string, unknown>): Record<string, unknown> {
  const ctx = new StageContext();
  const value = interpolateTree(JSON.parse(JSON.stringify(printed)), ctx, {});
  expect(ctx.issues).toEqual([]);
  return value as Record<string, unknown>;
}

const RICH = {
  name: 'ignored-here',
  'x-common': { logging: { driver: 'json-file' } },
  'x-berth': { runtime: 'docker', proxy: { http: 8080 }, 'x-later': { a: 1 } },
  services: {
    web: {
      build: { context: './web', args: ['NODE_ENV=production', 'VERSION'], labels: ['team=web'], target: 'prod', cache_from: ['web:latest'] },
      command: 'npm run "start server"',
      entrypoint: ['/usr/bin/tini', '--'],
      environment: { PORT: 3000, DEBUG: false, TOKEN: null, PRICE: 'costs $5', PASSWORD_HASH: '$2a$08$abc' },
      env_file: [{ path: '.env.web', required: false }],
      ports: ['127.0.0.1:3000:3000', '9000-9001:9000-9001', '53:53/udp', { target: 443, published: '8443', mode: 'host', app_protocol: 'https' }],
      expose: [4000, '5000-5001'],
      volumes: ['./src:/app/src:ro,z', 'data:/data:nocopy', '/app/node_modules', '~/cache:/cache',
        { type: 'bind', source: './conf', target: '/conf', bind: { propagation: 'rslave', create_host_path: false } },
        { type: 'tmpfs', target: '/tmp', tmpfs: { size: '64m' } },
        { type: 'volume', source: 'data', target: '/data2', volume: { nocopy: true, labels: { a: 'b' } }, 'x-note': 1 }],
      depends_on: { db: { condition: 'service_healthy', restart: true }, cache: { condition: 'service_started', required: false } },
      links: ['auth'],
      healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:3000/health'], interval: '10s', timeout: '2s', retries: 5, start_period: '1m30s' },
      restart: 'on-failure:3',
      deploy: {
        replicas: 2,
        resources: { limits: { cpus: '0.5', memory: '512M' }, reservations: { memory: '128m', devices: [{ capabilities: ['gpu'], count: 1 }] } },
        update_config: { parallelism: 1, order: 'start-first', delay: '5s' },
        restart_policy: { condition: 'on-failure', max_attempts: 3 },
        placement: { constraints: ['node.role==worker'], preferences: [{ spread: 'node.labels.zone' }] },
        labels: ['tier=front'],
      },
      networks: { front: { aliases: ['www'], ipv4_address: '172.20.0.5' }, back: { priority: 10 } },
      labels: { 'traefik.enable': true },
      profiles: ['app'],
      working_dir: '/app',
      user: '1000:1000',
      hostname: 'web',
      stop_signal: 'SIGINT',
      stop_grace_period: '30s',
      secrets: ['api_key', { source: 'tls', target: '/etc/tls.pem', mode: '0440' }],
      configs: ['nginx'],
      cap_add: ['NET_ADMIN'],
      extra_hosts: ['host.docker.internal:host-gateway'],
      ulimits: { nofile: { soft: 1024, hard: 2048 } },
      'x-team': 'frontend',
      'x-berth': {
        process: { command: 'npm start', cwd: './web' },
        routes: [{ host: 'example.com', path: ['/api', '/ws'], port: 3000, strip_prefix: true }, { host: ['a.test', 'b.test'] }],
        health: { http: { path: '/health', port: 3000, status: 204 }, interval: '5s' },
        deploy: { strategy: 'canary', watch: '30s', canary: [25, 100] },
      },
    },
    db: {
      image: 'postgres:16',
      environment: ['POSTGRES_PASSWORD=secret'],
      volumes: ['pg:/var/lib/postgresql/data'],
      healthcheck: { test: 'pg_isready -U postgres' },
      restart: 'always',
      scale: 1,
    },
    cache: { image: 'redis:7', healthcheck: { disable: true }, networks: ['back'], scale: 3 },
    auth: { image: 'auth', network_mode: 'bridge', command: [] },
    worker: { image: 'worker', deploy: { mode: 'global', rollback_config: {} }, restart: 'unless-stopped' },
  },
  networks: { front: { driver: 'bridge', labels: ['a=b'] }, back: { internal: true }, shared: { external: true, name: 'corp-net' } },
  volumes: { data: { driver: 'local' }, pg: null, old: { external: { name: 'legacy' } } },
  secrets: { api_key: { file: './secrets/api.txt' }, tls: { environment: 'TLS_PEM' } },
  configs: { nginx: { content: 'server {}' } },
};

const options = {
  envFileReader: (path: string) => (path === '/srv/demo/.env.web' ? { FROM_FILE: 'yes', PORT: '1' } : undefined),
  lookupVariable: (name: string) => (name === 'VERSION' ? '1.2.3' : undefined),
};

describe('toComposeDocument', () => {
  it('prints a small stack the way docker compose config does', () => {
    const { stack } = loadDict({
      services: {
        web: { image: 'nginx', ports: ['8080:80'], volumes: ['./html:/usr/share/nginx/html:ro', 'logs:/var/log'], depends_on: ['api'], environment: ['A=1'] },
        api: { build: '.', healthcheck: { test: 'curl -f localhost' } },
      },
      volumes: { logs: {} },
    });
    expect(toComposeDocument(stack)).toEqual({
      name: 'demo',
      services: {
        api: {
          build: { context: '/srv/demo', dockerfile: 'Dockerfile' },
          healthcheck: { test: ['CMD-SHELL', 'curl -f localhost'], timeout: '30s', interval: '30s', retries: 3, start_period: '0s', start_interval: '5s' },
          networks: { default: null },
        },
        web: {
          depends_on: { api: { condition: 'service_started', required: true } },
          environment: { A: '1' },
          image: 'nginx',
          networks: { default: null },
          ports: [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }],
          volumes: [
            { type: 'bind', source: '/srv/demo/html', target: '/usr/share/nginx/html', read_only: true, bind: { create_host_path: true } },
            { type: 'volume', source: 'logs', target: '/var/log', volume: {} },
          ],
        },
      },
      networks: { default: { name: 'demo_default' } },
      volumes: { logs: { name: 'demo_logs' } },
    });
  });

  it('sorts services and service keys, and puts x-* keys last', () => {
    const { stack } = loadDict({ services: { zeta: { image: 'z', 'x-a': 1, user: 'u' }, alpha: { image: 'a' } } });
    const doc = toComposeDocument(stack);
    expect(Object.keys(doc.services as object)).toEqual(['alpha', 'zeta']);
    expect(Object.keys((doc.services as Record<string, object>).zeta as object)).toEqual(['image', 'networks', 'user', 'x-a']);
  });

  it('prints durations, sizes, restart and scale as compose does', () => {
    const { stack } = loadDict(RICH, options);
    const web = (toComposeDocument(stack).services as Record<string, Record<string, unknown>>).web;
    expect(web?.restart).toBe('on-failure:3');
    expect(web?.stop_grace_period).toBe('30s');
    expect((web?.healthcheck as Record<string, unknown>).start_period).toBe('1m30s');
    expect(((web?.deploy as Record<string, Record<string, Record<string, unknown>>>).resources?.limits)).toEqual({ cpus: 0.5, memory: '536870912' });
    expect((toComposeDocument(stack).services as Record<string, Record<string, unknown>>).cache?.scale).toBe(3);
  });

  it('prints x-berth back from the typed options', () => {
    const { stack } = loadDict(RICH, options);
    const doc = toComposeDocument(stack);
    expect(doc['x-berth']).toEqual({ runtime: 'docker', proxy: { http: 8080 }, 'x-later': { a: 1 } });
    expect((doc.services as Record<string, Record<string, unknown>>).web?.['x-berth']).toEqual({
      process: { command: ['npm', 'start'], cwd: '/srv/demo/web' },
      routes: [
        { host: ['example.com'], path: ['/api', '/ws'], port: 3000, strip_prefix: true },
        { host: ['a.test', 'b.test'], path: ['/'] },
      ],
      health: { http: { path: '/health', port: 3000, status: 204 }, interval: '5s', timeout: '30s', retries: 3, start_period: '0s', start_interval: '5s' },
      deploy: expect.objectContaining({ strategy: 'canary', watch: '30s' }),
    });
  });

  it('round-trips a rich stack: canonicalize + normalize of the printed document gives an equal Stack', () => {
    const first = loadDict(RICH, options);
    expect(first.ctx.issues).toEqual([]);
    const printed = toComposeDocument(first.stack);
    const second = loadDict(reread(printed), options);
    expect(second.ctx.issues).toEqual([]);
    expect(second.stack).toEqual(first.stack);
    expect(toComposeDocument(second.stack)).toEqual(printed);
  });

  it('prints a literal $ as $$, as docker compose config does', () => {
    const { stack } = loadDict({ services: { web: { image: 'x', command: ['echo', '$HOME'], labels: { 'a$b': 'c$' } } } });
    const web = (toComposeDocument(stack).services as Record<string, Record<string, unknown>>).web;
    expect(web?.command).toEqual(['echo', '$$HOME']);
    expect(web?.labels).toEqual({ 'a$b': 'c$$' });
  });

  it('is deterministic and plain JSON data', () => {
    const { stack } = loadDict(RICH, options);
    const text = JSON.stringify(toComposeDocument(stack));
    expect(JSON.stringify(toComposeDocument(loadDict(RICH, options).stack))).toBe(text);
    expect(JSON.parse(text)).toEqual(toComposeDocument(stack));
  });
});
