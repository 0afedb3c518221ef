import { describe, expect, it } from 'vitest';
import { StageContext } from '../stage-context.js';
import { OverrideMarker, ResetMarker } from '../yaml-tags.js';
import { mergeComposeFiles, mergeService, resolveMarkers } from './merge.js';

type Dict = Record<string, unknown>;
const web = (service: Dict): Dict => ({ services: { web: service } });
const port = (target: number, published?: string, extra: Dict = {}): Dict => ({ target, published, protocol: 'tcp', ...extra });
const bind = (source: string, target: string): Dict => ({ type: 'bind', source, target });

function merge(...files: Dict[]): { result: Dict; ctx: StageContext } {
  const ctx = new StageContext();
  const result = files.reduce<Dict>((acc, file) => mergeComposeFiles(acc, file, ctx), {});
  return { result, ctx };
}

describe('mergeComposeFiles', () => {
  it.each<{ rule: string; base: Dict; overlay: Dict; expected: Dict }>([
    {
      rule: 'replaces scalars and merges mappings recursively',
      base: web({ image: 'app:1', deploy: { resources: { limits: { cpus: 1, memory: '1g' } } } }),
      overlay: web({ image: 'app:2', deploy: { resources: { limits: { cpus: 2 } } } }),
      expected: web({ image: 'app:2', deploy: { resources: { limits: { cpus: 2, memory: '1g' } } } }),
    },
    {
      rule: 'keeps the base value where the overlay says null, and adds new services',
      base: web({ image: 'app', restart: 'always' }),
      overlay: { services: { web: { restart: null }, db: { image: 'postgres' } } },
      expected: { services: { web: { image: 'app', restart: 'always' }, db: { image: 'postgres' } } },
    },
    {
      rule: 'merges ports keyed on host ip, published port, target and protocol',
      base: web({ ports: [port(80, '8080'), port(443, '8443'), port(53, '53', { protocol: 'udp' })] }),
      overlay: web({ ports: [port(80, '8080', { mode: 'host' }), port(53, '53'), port(9000)] }),
      expected: web({
        ports: [port(80, '8080', { mode: 'host' }), port(443, '8443'), port(53, '53', { protocol: 'udp' }), port(53, '53'), port(9000)],
      }),
    },
    {
      rule: 'merges volumes by target; the later mount takes the earlier one\'s place',
      base: web({ volumes: [bind('./a', '/data'), { type: 'volume', source: 'logs', target: '/logs' }] }),
      overlay: web({ volumes: [bind('./b', '/data'), { type: 'tmpfs', target: '/tmp' }] }),
      expected: web({ volumes: [bind('./b', '/data'), { type: 'volume', source: 'logs', target: '/logs' }, { type: 'tmpfs', target: '/tmp' }] }),
    },
    {
      rule: 'merges secrets and configs by where they are mounted',
      base: web({ secrets: ['db_pass', { source: 'api', target: 'api_key' }], configs: [{ source: 'nginx' }] }),
      overlay: web({ secrets: [{ source: 'db_pass', mode: 0o400 }, { source: 'api2', target: '/run/secrets/api_key' }], configs: ['nginx', { source: 'x', target: '/etc/x' }] }),
      expected: web({ secrets: [{ source: 'db_pass', mode: 0o400 }, { source: 'api2', target: '/run/secrets/api_key' }], configs: ['nginx', { source: 'x', target: '/etc/x' }] }),
    },
    {
      rule: 'merges environment by key, where an overlay null unsets the base value (list forms included)',
      base: web({ environment: { A: '1', B: '2', C: '3' } }),
      overlay: web({ environment: ['B=two', 'C', 'D=4'] }),
      expected: web({ environment: { A: '1', B: 'two', C: null, D: '4' } }),
    },
    {
      rule: 'merges labels, sysctls and build.args by key',
      base: web({ labels: ['a=1', 'b=2'], sysctls: { 'net.core.somaxconn': 1024 }, build: { context: '.', args: { V: '1' } } }),
      overlay: web({ labels: { b: '3' }, sysctls: { 'net.ipv4.tcp_syncookies': 0 }, build: { args: { V: '2', W: null } } }),
      expected: web({
        labels: { a: '1', b: '3' },
        sysctls: { 'net.core.somaxconn': 1024, 'net.ipv4.tcp_syncookies': 0 },
        build: { context: '.', args: { V: '2', W: null } },
      }),
    },
    {
      rule: 'merges depends_on per dependency and reads a list as service_started dependencies',
      base: web({ depends_on: { db: { condition: 'service_healthy', required: true, restart: true } } }),
      overlay: web({ depends_on: ['cache', 'db'] }),
      expected: web({
        depends_on: {
          db: { condition: 'service_started', required: true, restart: true },
          cache: { condition: 'service_started', required: true },
        },
      }),
    },
    {
      rule: 'merges service networks by name and keeps a network\'s settings when the overlay lists it bare',
      base: web({ networks: { front: { aliases: ['www'] }, back: null } }),
      overlay: web({ networks: ['front', 'admin'] }),
      expected: web({ networks: { front: { aliases: ['www'] }, back: null, admin: null } }),
    },
    {
      rule: 'replaces command, entrypoint and healthcheck.test but merges the rest of healthcheck',
      base: web({ command: ['npm', 'start'], entrypoint: 'sh -c', healthcheck: { test: ['CMD', 'true'], interval: '5s' } }),
      overlay: web({ command: ['node', 'x.js'], entrypoint: ['tini'], healthcheck: { test: 'curl -f localhost', retries: 3 } }),
      expected: web({ command: ['node', 'x.js'], entrypoint: ['tini'], healthcheck: { test: 'curl -f localhost', interval: '5s', retries: 3 } }),
    },
    {
      rule: 'merges a short build string with a build mapping',
      base: web({ build: './app' }),
      overlay: web({ build: { dockerfile: 'Dockerfile.dev' } }),
      expected: web({ build: { context: './app', dockerfile: 'Dockerfile.dev' } }),
    },
    {
      rule: 'appends env_file entries, one per path',
      base: web({ env_file: [{ path: '.env', required: true }, { path: 'a.env', required: true }] }),
      overlay: web({ env_file: [{ path: '.env', required: false }, { path: 'b.env', required: true }] }),
      expected: web({ env_file: [{ path: '.env', required: false }, { path: 'a.env', required: true }, { path: 'b.env', required: true }] }),
    },
    {
      rule: 'appends expose, cap_add, dns and profiles without duplicates, and plain lists with them',
      base: web({ expose: ['3000'], cap_add: ['NET_ADMIN'], dns: '8.8.8.8', profiles: ['dev'], security_opt: ['a'] }),
      overlay: web({ expose: ['3000', 4000], cap_add: ['NET_ADMIN', 'SYS_TIME'], dns: ['8.8.8.8', '1.1.1.1'], profiles: ['dev', 'ci'], security_opt: ['a'] }),
      expected: web({
        expose: ['3000', 4000], cap_add: ['NET_ADMIN', 'SYS_TIME'], dns: ['8.8.8.8', '1.1.1.1'], profiles: ['dev', 'ci'], security_opt: ['a', 'a'],
      }),
    },
    {
      rule: 'unions extra_hosts addresses per host',
      base: web({ extra_hosts: { 'example.com': '1.2.3.4' } }),
      overlay: web({ extra_hosts: ['localhost=127.0.0.1', 'example.com=1.2.3.4', 'example.com:4.3.2.1'] }),
      expected: web({ extra_hosts: { 'example.com': ['1.2.3.4', '4.3.2.1'], localhost: '127.0.0.1' } }),
    },
    {
      rule: 'merges logging options for the same driver and replaces them for another driver',
      base: { services: { a: { logging: { driver: 'json-file', options: { 'max-size': '1m' } } }, b: { logging: { driver: 'syslog', options: { tag: 'x' } } } } },
      overlay: { services: { a: { logging: { options: { 'max-file': '3' } } }, b: { logging: { driver: 'gelf', options: { 'gelf-address': 'udp://h' } } } } },
      expected: {
        services: {
          a: { logging: { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } } },
          b: { logging: { driver: 'gelf', options: { 'gelf-address': 'udp://h' } } },
        },
      },
    },
    {
      rule: 'replaces each ulimit whole',
      base: web({ ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 100 } }),
      overlay: web({ ulimits: { nofile: { soft: 4096 } } }),
      expected: web({ ulimits: { nofile: { soft: 4096 }, nproc: 100 } }),
    },
    {
      rule: '!reset removes a key, an environment entry, a whole service, or a list entry of the overlay',
      base: { services: { web: { image: 'a', ports: [port(80, '80')], environment: { A: '1', B: '2' } }, old: { image: 'x' } } },
      overlay: {
        services: {
          web: { ports: new ResetMarker(), environment: { A: new ResetMarker() }, expose: ['1', new ResetMarker()] },
          old: new ResetMarker(),
        },
      },
      expected: { services: { web: { image: 'a', environment: { B: '2' }, expose: ['1'] } } },
    },
    {
      rule: '!override replaces the base value instead of merging it',
      base: web({ ports: [port(80, '80'), port(443, '443')], environment: { A: '1' }, deploy: { labels: { a: 'b' }, replicas: 2 } }),
      overlay: web({ ports: new OverrideMarker([port(8080, '8080')]), environment: new OverrideMarker({ B: '2' }), deploy: new OverrideMarker({ replicas: 3 }) }),
      expected: web({ ports: [port(8080, '8080')], environment: { B: '2' }, deploy: { replicas: 3 } }),
    },
    {
      rule: 'merges top-level networks, volumes, secrets and configs, and replaces name and x-* extensions whole',
      base: {
        name: 'one', networks: { front: { driver: 'bridge', labels: { a: '1' } } }, volumes: { data: {} },
        secrets: { s: { file: './s' } }, configs: { c: { file: './c' } }, 'x-common': { a: 1, b: [1] },
      },
      overlay: {
        name: 'two', networks: { front: { labels: ['b=2'] }, back: { internal: true } }, volumes: { data: { driver: 'local' } },
        secrets: { s: { file: './s2' } }, configs: { d: { content: 'x' } }, 'x-common': { b: [2], c: 3 },
      },
      expected: {
        name: 'two', networks: { front: { driver: 'bridge', labels: { a: '1', b: '2' } }, back: { internal: true } },
        volumes: { data: { driver: 'local' } }, secrets: { s: { file: './s2' } },
        configs: { c: { file: './c' }, d: { content: 'x' } }, 'x-common': { b: [2], c: 3 },
      },
    },
    {
      rule: 'replaces a service\'s x-* extension whole, even with null, as compose-go does',
      base: web({ 'x-berth': { routes: [{ host: 'a.test' }], health: { http: '/h' } }, 'x-note': 'keep' }),
      overlay: web({ 'x-berth': { routes: [{ host: 'b.test' }] }, 'x-note': null }),
      expected: web({ 'x-berth': { routes: [{ host: 'b.test' }] }, 'x-note': null }),
    },
    {
      rule: 'merges network ipam configs by subnet',
      base: { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }] } } } },
      overlay: { networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', ip_range: '10.0.0.0/28' }, { subnet: '10.1.0.0/24' }] } } } },
      expected: {
        networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1', ip_range: '10.0.0.0/28' }, { subnet: '10.1.0.0/24' }] } } },
      },
    },
  ])('$rule', ({ base, overlay, expected }) => {
    const { result, ctx } = merge(base, overlay);
    expect(ctx.issues).toEqual([]);
    expect(result).toEqual(expected);
  });

  it('merges three files in order, each over the result of the ones before', () => {
    const { result } = merge(
      web({ image: 'app:1', ports: [port(80, '80')], environment: { LEVEL: 'info', A: '1' } }),
      web({ image: 'app:2', ports: [port(81, '81')], environment: { LEVEL: 'debug' } }),
      web({ ports: new OverrideMarker([port(82, '82')]), environment: { A: new ResetMarker(), B: '2' } }),
    );
    expect(result).toEqual(web({ image: 'app:2', ports: [port(82, '82')], environment: { LEVEL: 'debug', B: '2' } }));
  });

  it('reports a list written over a mapping as SPEC_MERGE at the overlay value', () => {
    const { ctx } = merge(web({ deploy: { resources: {} } }), web({ deploy: ['x'] }));
    expect(ctx.issues.map((issue) => [issue.code, issue.path])).toEqual([['SPEC_MERGE', 'services.web.deploy']]);
    expect(ctx.issues[0]?.hint).toMatch(/!override/);
  });

  it('leaves its inputs untouched', () => {
    const base = web({ environment: { A: '1' }, ports: [port(80, '80')] });
    const overlay = web({ environment: { A: new ResetMarker() }, ports: [port(80, '80', { mode: 'host' })] });
    const before = JSON.stringify([base, overlay]);
    merge(base, overlay);
    expect(JSON.stringify([base, overlay])).toBe(before);
  });
});

describe('resolveMarkers', () => {
  it('removes !reset keys, unwraps !override values and keeps no marker in a single file', () => {
    const dict = web({ image: 'a', ports: new ResetMarker(), labels: new OverrideMarker({ a: new ResetMarker(), b: '1' }) });
    expect(resolveMarkers(dict)).toEqual(web({ image: 'a', labels: { b: '1' } }));
  });

  it('keeps one entry per key in a single file, as compose does', () => {
    const dict = web({ ports: [port(80, '80'), port(80, '80', { mode: 'host' })], cap_add: ['A', 'A'] });
    expect(resolveMarkers(dict)).toEqual(web({ ports: [port(80, '80', { mode: 'host' })], cap_add: ['A'] }));
  });
});

describe('mergeService', () => {
  it('applies the extending service\'s markers and keeps them for the merge with earlier files', () => {
    const ctx = new StageContext();
    const merged = mergeService(
      { image: 'base', ports: [port(80, '80')], command: ['a'], environment: { A: '1' } },
      { ports: new ResetMarker(), environment: new OverrideMarker({ B: '2' }), command: ['b'] },
      ['services', 'web'],
      ctx,
    );
    expect(merged.image).toBe('base');
    expect(merged.command).toEqual(['b']);
    expect(merged.ports).toBeInstanceOf(ResetMarker);
    expect(merged.environment).toEqual(new OverrideMarker({ B: '2' }));
    expect(resolveMarkers(web(merged))).toEqual(web({ image: 'base', command: ['b'], environment: { B: '2' } }));
  });
});
