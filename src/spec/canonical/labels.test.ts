import { describe, expect, it } from 'vitest';
import { StageContext } from '../stage-context.js';
import { canonicalize } from './canonical.js';
import { canonicalService } from './test-helpers.js';

describe('canonical labels and other key=value lists', () => {
  it.each([
    ['labels', ['traefik.enable=true', 'empty'], { 'traefik.enable': 'true', empty: '' }],
    ['annotations', ['a=1'], { a: '1' }],
    ['sysctls', ['net.core.somaxconn=1024'], { 'net.core.somaxconn': '1024' }],
  ])('turns a %s list into a mapping of strings', (key, input, expected) => {
    expect(canonicalService({ [key]: input }).web[key]).toEqual(expected);
  });

  it('stringifies mapping values and turns null into ""', () => {
    expect(canonicalService({ labels: { a: 1, b: true, c: null } }).web.labels).toEqual({ a: '1', b: 'true', c: '' });
  });

  it('handles deploy.labels and the labels of top-level resources', () => {
    const ctx = new StageContext();
    const out = canonicalize({
      services: { web: { deploy: { labels: ['x=1'] } } },
      networks: { front: { labels: ['n=1'] } },
      volumes: { data: { labels: ['v=1'] } },
    }, ctx);
    expect(out).toEqual({
      services: { web: { deploy: { labels: { x: '1' } } } },
      networks: { front: { labels: { n: '1' } } },
      volumes: { data: { labels: { v: '1' } } },
    });
  });

  it.each([
    [['db:10.0.0.2', 'api=10.0.0.3'], { db: '10.0.0.2', api: '10.0.0.3' }],
    [['v6:::1'], { v6: '::1' }],
    [['h=[::1]'], { h: '[::1]' }],
    [['db=1.1.1.1', 'db=2.2.2.2'], { db: ['1.1.1.1', '2.2.2.2'] }],
  ])('turns extra_hosts %j into a mapping', (input, expected) => {
    expect(canonicalService({ extra_hosts: input }).web.extra_hosts).toEqual(expected);
  });

  it('reports an extra_hosts entry without an address', () => {
    const { ctx } = canonicalService({ extra_hosts: ['nohost'] });
    expect(ctx.issues[0]?.message).toContain('"HOST=IP"');
  });
});
