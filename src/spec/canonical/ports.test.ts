import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

const tcp = (target: number, published?: string, hostIp?: string) => ({
  mode: 'ingress',
  ...(hostIp === undefined ? {} : { host_ip: hostIp }),
  target,
  ...(published === undefined ? {} : { published }),
  protocol: 'tcp',
});

describe('canonical ports', () => {
  it.each([
    ['"8000" (container only)', '8000', [tcp(8000)]],
    ['a plain number', 8080, [tcp(8080)]],
    ['"8000:80"', '8000:80', [tcp(80, '8000')]],
    ['"127.0.0.1:8000:80"', '127.0.0.1:8000:80', [tcp(80, '8000', '127.0.0.1')]],
    ['"::1:8000:80" (bare IPv6)', '::1:8000:80', [tcp(80, '8000', '::1')]],
    ['"[::1]:8000:80" (bracketed IPv6)', '[::1]:8000:80', [tcp(80, '8000', '::1')]],
    ['"53:53/udp"', '53:53/udp', [{ mode: 'ingress', target: 53, published: '53', protocol: 'udp' }]],
    ['"53/UDP" (protocol case)', '53/UDP', [{ mode: 'ingress', target: 53, protocol: 'udp' }]],
    ['"127.0.0.1::80" (ephemeral host port on an IP)', '127.0.0.1::80', [tcp(80, undefined, '127.0.0.1')]],
    ['"8000-8002:8000-8002" (range, one entry per port)', '8000-8002:8000-8002', [tcp(8000, '8000'), tcp(8001, '8001'), tcp(8002, '8002')]],
    ['"8000-8002" (container range)', '8000-8002', [tcp(8000), tcp(8001), tcp(8002)]],
    ['"9000-9010:80" (host range for one port)', '9000-9010:80', [tcp(80, '9000-9010')]],
    ['"98-101:98-101" (sorted as text, as compose does)', '98-101:98-101', [tcp(100, '100'), tcp(101, '101'), tcp(98, '98'), tcp(99, '99')]],
  ])('reads %s', (_name, short, expected) => {
    const { web, ctx } = canonicalService({ ports: [short] });
    expect(ctx.issues).toEqual([]);
    expect(web.ports).toEqual(expected);
  });

  it('keeps long-form entries as written (defaults are normalize\'s job)', () => {
    const long = { target: 80, published: 8080, host_ip: '0.0.0.0', app_protocol: 'http' };
    const { web } = canonicalService({ ports: [long, '9000:90'] });
    expect(web.ports).toEqual([long, tcp(90, '9000')]);
  });

  it.each([
    ['80:99999', 'container port "99999" is not a number from 0 to 65535'],
    ['abc', 'container port "abc"'],
    ['99999:80', 'host port "99999"'],
    ['80:80/foo', 'unknown protocol "foo"'],
    ['300.1.1.1:80:80', '"300.1.1.1" is not an IP address'],
    ['8000-8001:80-82', 'differ in size'],
    ['90-80', 'ends before it starts'],
    ['80:', 'no container port'],
  ])('refuses %j with SPEC_PORT, the path, the quoted value and a hint', (bad, reason) => {
    const { web, ctx } = canonicalService({ ports: ['80:80', bad] });
    expect(ctx.issues).toHaveLength(1);
    const issue = ctx.issues[0];
    expect(issue?.code).toBe('SPEC_PORT');
    expect(issue?.path).toBe('services.web.ports[1]');
    expect(issue?.message).toContain(JSON.stringify(bad));
    expect(issue?.message).toContain(reason);
    expect(issue?.hint).toContain('HOST:CONTAINER');
    expect(web.ports).toEqual([tcp(80, '80'), bad]);
  });
});
