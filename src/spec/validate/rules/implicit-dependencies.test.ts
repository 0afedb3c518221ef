import { describe, expect, it } from 'vitest';
import { StageContext } from '../../stage-context.js';
import { implicitDependenciesAreDefined } from './implicit-dependencies.js';
import { testService, testStack } from './test-stack.js';

describe('implicitDependenciesAreDefined', () => {
  it('accepts links, volumes_from and network_mode naming services of the stack, and containers outside it', () => {
    const ctx = new StageContext();
    implicitDependenciesAreDefined(testStack([
      testService('web', { other: { links: ['db:database'], volumes_from: ['db:ro', 'container:legacy'], network_mode: 'service:vpn' } }),
      testService('db'), testService('vpn'),
    ]), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects each reference to an unknown service', () => {
    const ctx = new StageContext();
    implicitDependenciesAreDefined(testStack([
      testService('web', { other: { links: ['dbb:database'], volumes_from: ['data'], network_mode: 'service:vnp' } }),
      testService('db'), testService('vpn'),
    ]), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_REFERENCE services.web.links[0]: service `web` links to `dbb`, which is not a service in this stack — did you mean `db`?',
      'SPEC_REFERENCE services.web.volumes_from[0]: service `web` takes volumes from `data`, which is not a service in this stack',
      'SPEC_REFERENCE services.web.network_mode: service `web` shares the network of `vnp`, which is not a service in this stack — did you mean `vpn`?',
    ]);
  });

  it('rejects network_mode together with networks', () => {
    const ctx = new StageContext();
    implicitDependenciesAreDefined(testStack([
      testService('web', { other: { network_mode: 'host' }, networks: { back: { aliases: [] } } }),
    ]), ctx);
    expect(ctx.issues.map((i) => i.message)).toEqual([
      'service `web` sets both `network_mode` and `networks`, which exclude each other',
    ]);
  });
});

describe('implicitDependenciesAreDefined with implicit depends_on entries', () => {
  it('leaves a target that is also a depends_on entry to the depends_on rule', () => {
    const ctx = new StageContext();
    implicitDependenciesAreDefined(testStack([
      testService('web', {
        other: { links: ['db'] },
        dependsOn: { db: { condition: 'service_started', restart: false, required: true } },
      }),
    ]), ctx);
    expect(ctx.issues).toEqual([]);
  });
});
