import { describe, expect, it } from 'vitest';
import { loadDict, loadWeb } from './test-helpers.js';

describe('normalize: defaults', () => {
  it('fills every default of a minimal service', () => {
    const { web, ctx } = loadWeb({ image: 'nginx' });
    expect(ctx.issues).toEqual([]);
    expect(web).toEqual({
      name: 'web',
      image: 'nginx',
      environment: {},
      ports: [],
      expose: [],
      volumes: [],
      dependsOn: {},
      restart: { kind: 'no' },
      replicas: 1,
      networks: { default: { aliases: [] } },
      labels: {},
      profiles: [],
      stopSignal: 'SIGTERM',
      stopGracePeriodMs: 10_000,
      secrets: [],
      configs: [],
      extensions: {},
      other: {},
      berth: { routes: [], other: {} },
    });
  });

  it.each([
    ['no', { kind: 'no' }],
    ['always', { kind: 'always' }],
    ['unless-stopped', { kind: 'unless-stopped' }],
    ['on-failure', { kind: 'on-failure' }],
    ['on-failure:3', { kind: 'on-failure', maxRetries: 3 }],
  ])('reads restart: %s', (restart, expected) => {
    expect(loadWeb({ image: 'x', restart }).web.restart).toEqual(expected);
  });

  it('refuses an unknown restart policy with a hint', () => {
    const { ctx } = loadWeb({ image: 'x', restart: 'sometimes' });
    expect(ctx.issues[0]?.path).toBe('services.web.restart');
    expect(ctx.issues[0]?.hint).toContain('on-failure:N');
  });

  it('reads stop_signal and stop_grace_period', () => {
    const { web } = loadWeb({ image: 'x', stop_signal: 'SIGINT', stop_grace_period: '1m30s' });
    expect([web.stopSignal, web.stopGracePeriodMs]).toEqual(['SIGINT', 90_000]);
  });

  it('reports a bad stop_grace_period as SPEC_DURATION', () => {
    const { ctx } = loadWeb({ image: 'x', stop_grace_period: '10' });
    expect(ctx.issues[0]?.code).toBe('SPEC_DURATION');
    expect(ctx.issues[0]?.path).toBe('services.web.stop_grace_period');
  });

  it.each([
    ['deploy.replicas', { deploy: { replicas: 3 } }, 3],
    ['scale', { scale: 2 }, 2],
    ['both, equal', { scale: 2, deploy: { replicas: 2 } }, 2],
    ['neither', {}, 1],
  ])('takes replicas from %s', (_name, fields, replicas) => {
    expect(loadWeb({ image: 'x', ...fields }).web.replicas).toBe(replicas);
  });

  it('refuses scale and deploy.replicas that disagree', () => {
    const { ctx } = loadWeb({ image: 'x', scale: 2, deploy: { replicas: 3 } });
    expect(ctx.issues[0]?.message).toContain('disagree');
  });

  it('splits a command string as compose does and keeps a list as written', () => {
    const { web } = loadWeb({ image: 'x', command: 'npm run "dev server"', entrypoint: ['/bin/sh', '-c'] });
    expect(web.command).toEqual(['npm', 'run', 'dev server']);
    expect(web.entrypoint).toEqual(['/bin/sh', '-c']);
  });

  it('reads depends_on with its defaults and infers links, network_mode and volumes_from', () => {
    const { web } = loadWeb({
      image: 'x',
      depends_on: { db: { condition: 'service_healthy', restart: true }, cache: { required: false } },
      links: ['auth:login'],
      network_mode: 'service:vpn',
      volumes_from: ['data:ro', 'container:other'],
    });
    expect(web.dependsOn).toEqual({
      db: { condition: 'service_healthy', restart: true, required: true },
      cache: { condition: 'service_started', restart: false, required: false },
      auth: { condition: 'service_started', restart: true, required: true },
      vpn: { condition: 'service_started', restart: true, required: true },
      data: { condition: 'service_started', restart: false, required: true },
    });
    expect(web.networks).toEqual({});
  });
});

describe('normalize: names', () => {
  it('adds the default network, named <project>_default, when a service joins it implicitly', () => {
    const { stack } = loadDict({ services: { web: { image: 'x' } } });
    expect(stack.networks).toEqual({
      default: { name: 'demo_default', external: false, internal: false, attachable: false, labels: {}, other: {} },
    });
  });

  it('adds no default network when every service names its networks', () => {
    const { stack } = loadDict({ services: { web: { image: 'x', networks: ['front'] } }, networks: { front: null } });
    expect(Object.keys(stack.networks)).toEqual(['front']);
    expect(stack.services.web?.networks).toEqual({ front: { aliases: [] } });
  });

  it('names networks, volumes, secrets and configs <project>_<key> unless name: or external', () => {
    const { stack } = loadDict({
      services: {},
      networks: { front: {}, named: { name: 'shared' }, outside: { external: true }, outsideNamed: { external: true, name: 'corp' } },
      volumes: { data: null, keep: { name: 'keep-me', driver: 'local', driver_opts: { type: 'none' } }, ext: { external: true } },
      secrets: { token: { file: './token.txt' }, ext: { external: true } },
      configs: { nginx: { content: 'server {}' }, env: { environment: 'NGINX_CONF' } },
    });
    expect(Object.fromEntries(Object.entries(stack.networks).map(([k, n]) => [k, [n.name, n.external]]))).toEqual({
      front: ['demo_front', false], named: ['shared', false], outside: ['outside', true], outsideNamed: ['corp', true],
    });
    expect(stack.volumes).toEqual({
      data: { name: 'demo_data', external: false, labels: {}, other: {} },
      keep: { name: 'keep-me', driver: 'local', external: false, labels: {}, other: { driver_opts: { type: 'none' } } },
      ext: { name: 'ext', external: true, labels: {}, other: {} },
    });
    expect(stack.secrets).toEqual({
      token: { name: 'demo_token', external: false, file: '/srv/demo/token.txt' },
      ext: { name: 'ext', external: true },
    });
    expect(stack.configs).toEqual({
      nginx: { name: 'demo_nginx', external: false, content: 'server {}' },
      env: { name: 'demo_env', external: false, environment: 'NGINX_CONF' },
    });
  });
});

describe('normalize: paths', () => {
  it.each([
    ['./src:/app', '/srv/demo/src'],
    ['../shared:/shared', '/srv/shared'],
    ['~/cache:/cache', '/home/me/cache'],
    ['/abs:/abs', '/abs'],
  ])('makes the bind source of %s absolute', (short, source) => {
    const { web } = loadWeb({ image: 'x', volumes: [short] });
    expect(web.volumes[0]).toEqual({ type: 'bind', source, target: short.split(':')[1], readOnly: false, bind: { createHostPath: true } });
  });

  it('keeps a named volume by its key and an anonymous one without source', () => {
    const { web } = loadWeb({ image: 'x', volumes: ['data:/data:ro', '/app/node_modules'] });
    expect(web.volumes).toEqual([
      { type: 'volume', source: 'data', target: '/data', readOnly: true, volume: { nocopy: false } },
      { type: 'volume', target: '/app/node_modules', readOnly: false, volume: { nocopy: false } },
    ]);
  });

  it('reads long-form binds: create_host_path is false without a bind block', () => {
    const { web } = loadWeb({
      image: 'x',
      volumes: [
        { type: 'bind', source: './a', target: '/a' },
        { type: 'bind', source: './b', target: '/b', bind: { propagation: 'rslave' } },
        { type: 'tmpfs', target: '/tmp', tmpfs: { size: '64m', mode: '1777' } },
      ],
    });
    expect(web.volumes).toEqual([
      { type: 'bind', source: '/srv/demo/a', target: '/a', readOnly: false, bind: { createHostPath: false } },
      { type: 'bind', source: '/srv/demo/b', target: '/b', readOnly: false, bind: { createHostPath: true, propagation: 'rslave' } },
      { type: 'tmpfs', target: '/tmp', readOnly: false, tmpfs: { size: 67_108_864, mode: 1777 } },
    ]);
  });

  it.each([
    ['a folder', '.', { context: '/srv/demo', dockerfile: 'Dockerfile' }],
    ['a relative folder', { context: './api', dockerfile: 'Dockerfile.dev' }, { context: '/srv/demo/api', dockerfile: 'Dockerfile.dev' }],
    ['no context', { target: 'prod' }, { context: '/srv/demo', dockerfile: 'Dockerfile', target: 'prod' }],
    ['a git URL', 'https://github.com/a/b.git#main', { context: 'https://github.com/a/b.git#main', dockerfile: 'Dockerfile' }],
    ['an inline Dockerfile', { dockerfile_inline: 'FROM alpine' }, { context: '/srv/demo', dockerfile: '', other: { dockerfile_inline: 'FROM alpine' } }],
  ])('reads a build with %s', (_name, build, expected) => {
    const { web } = loadWeb({ build });
    expect(web.build).toEqual({ args: {}, labels: {}, other: {}, ...expected });
  });

  it('makes x-berth process.cwd absolute', () => {
    const { web, ctx } = loadWeb({ image: 'x', 'x-berth': { process: { command: 'npm start', cwd: './app' } } });
    expect(ctx.issues).toEqual([]);
    expect(web.berth.process).toEqual({ command: ['npm', 'start'], cwd: '/srv/demo/app' });
  });
});

describe('normalize: the rest', () => {
  it('keeps x-* keys in extensions and unknown compose keys in other, verbatim', () => {
    const { stack } = loadDict({
      'x-common': { a: 1 },
      'x-berth': { runtime: 'docker' },
      services: { web: { image: 'x', 'x-team': 'web', cap_add: ['NET_ADMIN'], ulimits: { nofile: 1024 }, extra_hosts: ['db:1.2.3.4'] } },
    });
    expect(stack.extensions).toEqual({ 'x-common': { a: 1 } });
    expect(stack.berth).toEqual({ runtime: 'docker', other: {} });
    expect(stack.services.web?.extensions).toEqual({ 'x-team': 'web' });
    expect(stack.services.web?.other).toEqual({ cap_add: ['NET_ADMIN'], ulimits: { nofile: 1024 }, extra_hosts: { db: '1.2.3.4' } });
  });

  it('reads ports with compose defaults', () => {
    const { web } = loadWeb({ image: 'x', ports: ['8000:80', '127.0.0.1:53:53/udp', { target: 443, published: 8443, mode: 'host', app_protocol: 'https' }, 9000] });
    expect(web.ports).toEqual([
      { target: 80, published: '8000', protocol: 'tcp', mode: 'ingress' },
      { target: 53, published: '53', hostIp: '127.0.0.1', protocol: 'udp', mode: 'ingress' },
      { target: 443, published: '8443', protocol: 'tcp', mode: 'host', appProtocol: 'https' },
      { target: 9000, protocol: 'tcp', mode: 'ingress' },
    ]);
  });

  it('reads service secrets and configs, with octal modes', () => {
    const { web } = loadWeb({ image: 'x', secrets: ['db', { source: 'tls', target: '/tls', mode: '0440', uid: 1000 }], configs: [{ source: 'c', mode: 292 }] });
    expect(web.secrets).toEqual([{ source: 'db' }, { source: 'tls', target: '/tls', uid: '1000', mode: 0o440 }]);
    expect(web.configs).toEqual([{ source: 'c', mode: 292 }]);
  });

  it('lists the profiles of its services, sorted and once', () => {
    const { stack } = loadDict({ services: { a: { image: 'x', profiles: ['debug', 'tools'] }, b: { image: 'x', profiles: ['debug'] } } });
    expect(stack.profiles).toEqual(['debug', 'tools']);
  });

  it('returns a deep-frozen stack and leaves its input unfrozen', () => {
    const input = { services: { web: { image: 'x', cap_add: ['A'] } } };
    const { stack } = loadDict(input);
    expect(Object.isFrozen(stack)).toBe(true);
    expect(Object.isFrozen(stack.services.web?.other.cap_add)).toBe(true);
    expect(Object.isFrozen(stack.services.web?.networks.default)).toBe(true);
    expect(Object.isFrozen(input.services.web.cap_add)).toBe(false);
  });
});
