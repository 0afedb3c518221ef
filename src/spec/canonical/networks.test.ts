import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

describe('canonical service networks, secrets, configs, extends, devices, dns', () => {
  it('turns a networks list into a mapping of null options', () => {
    expect(canonicalService({ networks: ['front', 'back'] }).web.networks).toEqual({ front: null, back: null });
  });

  it('keeps a networks mapping', () => {
    const networks = { front: { aliases: ['web'] }, back: null };
    expect(canonicalService({ networks }).web.networks).toEqual(networks);
  });

  it('turns secret and config names into {source}', () => {
    const { web } = canonicalService({ secrets: ['db', { source: 'tls', target: '/tls' }], configs: ['nginx'] });
    expect(web.secrets).toEqual([{ source: 'db' }, { source: 'tls', target: '/tls' }]);
    expect(web.configs).toEqual([{ source: 'nginx' }]);
  });

  it('turns extends: name into {service}', () => {
    expect(canonicalService({ extends: 'base' }).web.extends).toEqual({ service: 'base' });
    expect(canonicalService({ extends: { file: 'b.yml', service: 'x' } }).web.extends).toEqual({ file: 'b.yml', service: 'x' });
  });

  it.each([
    ['/dev/ttyUSB0', { source: '/dev/ttyUSB0', target: '/dev/ttyUSB0', permissions: 'rwm' }],
    ['/dev/a:/dev/b', { source: '/dev/a', target: '/dev/b', permissions: 'rwm' }],
    ['/dev/a:/dev/b:r', { source: '/dev/a', target: '/dev/b', permissions: 'r' }],
  ])('reads device %j', (input, expected) => {
    expect(canonicalService({ devices: [input] }).web.devices).toEqual([expected]);
  });

  it('turns a dns string into a list', () => {
    expect(canonicalService({ dns: '8.8.8.8' }).web.dns).toEqual(['8.8.8.8']);
  });
});
