import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

const bind = (source: string, target: string, extra: Record<string, unknown> = {}, bindOptions: Record<string, unknown> = {}) => ({
  type: 'bind', source, target, ...extra, bind: { ...bindOptions, create_host_path: true },
});

describe('canonical volumes', () => {
  it.each([
    ['a relative bind, kept relative', './src:/app', bind('./src', '/app')],
    ['a read-only bind', './src:/app:ro', bind('./src', '/app', { read_only: true })],
    ['an explicit rw bind', './src:/app:rw', bind('./src', '/app')],
    ['an absolute bind', '/var/run/docker.sock:/var/run/docker.sock', bind('/var/run/docker.sock', '/var/run/docker.sock')],
    ['a home bind', '~/x:/y', bind('~/x', '/y')],
    ['a parent-folder bind', '../shared:/shared', bind('../shared', '/shared')],
    ['SELinux z', './a:/a:z', bind('./a', '/a', {}, { selinux: 'z' })],
    ['SELinux Z with ro', './a:/a:ro,Z', bind('./a', '/a', { read_only: true }, { selinux: 'Z' })],
    ['propagation', '/mnt:/mnt:rshared', bind('/mnt', '/mnt', {}, { propagation: 'rshared' })],
    ['a named volume', 'data:/var/lib/x', { type: 'volume', source: 'data', target: '/var/lib/x', volume: {} }],
    ['a named volume, read-only', 'data:/x:ro', { type: 'volume', source: 'data', target: '/x', read_only: true, volume: {} }],
    ['nocopy', 'data:/x:nocopy', { type: 'volume', source: 'data', target: '/x', volume: { nocopy: true } }],
    ['an anonymous volume', '/app/node_modules', { type: 'volume', target: '/app/node_modules', volume: {} }],
    ['a Windows drive', 'C:\\data:/data', bind('C:\\data', '/data')],
    ['a ${VAR} left uninterpolated', '${SRC:-./src}:/app', { type: 'volume', source: '${SRC:-./src}', target: '/app', volume: {} }],
  ])('reads %s', (_name, short, expected) => {
    const { web, ctx } = canonicalService({ volumes: [short] });
    expect(ctx.issues).toEqual([]);
    expect(web.volumes).toEqual([expected]);
  });

  it('keeps long-form entries as written', () => {
    const long = { type: 'tmpfs', target: '/tmp', tmpfs: { size: '64m' } };
    expect(canonicalService({ volumes: [long] }).web.volumes).toEqual([long]);
  });

  it('warns about an unknown option and ignores it, as compose does', () => {
    const { web, ctx } = canonicalService({ volumes: ['./a:/a:delegated'] });
    expect(web.volumes).toEqual([bind('./a', '/a')]);
    expect(ctx.warnings[0]?.message).toContain('"delegated"');
    expect(ctx.warnings[0]?.path).toBe('services.web.volumes[0]');
  });

  it.each([
    ['./a:/b:ro:extra', 'too many'],
    ['./a::/b', 'empty part'],
  ])('refuses %j with the path and the quoted value', (bad, reason) => {
    const { ctx } = canonicalService({ volumes: [bad] });
    expect(ctx.issues[0]?.code).toBe('SPEC_TYPE');
    expect(ctx.issues[0]?.path).toBe('services.web.volumes[0]');
    expect(ctx.issues[0]?.message).toContain(JSON.stringify(bad));
    expect(ctx.issues[0]?.message).toContain(reason);
  });
});
