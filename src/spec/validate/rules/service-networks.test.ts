import { describe, expect, it } from 'vitest';
import type { Network } from '../../../model/stack.js';
import { StageContext } from '../../stage-context.js';
import { networksAreDefined } from './service-networks.js';
import { testService, testStack } from './test-stack.js';

const network = (name: string): Network => ({ name, external: false, internal: false, attachable: false, labels: {}, other: {} });
const joined = { aliases: [] };

describe('networksAreDefined', () => {
  it('accepts defined networks and the implicit default network', () => {
    const ctx = new StageContext();
    networksAreDefined(testStack([testService('web', { networks: { default: joined, back: joined } })], {
      networks: { back: network('demo_back') },
    }), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects an undefined network, with a did-you-mean', () => {
    const ctx = new StageContext();
    networksAreDefined(testStack([testService('web', { networks: { backnd: joined } })], {
      networks: { backend: network('demo_backend') },
    }), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_REFERENCE services.web.networks.backnd: service `web` uses network `backnd`, which is not defined under top-level `networks:` — did you mean `backend`?',
    ]);
  });

  it('says how to define a network nothing resembles', () => {
    const ctx = new StageContext();
    networksAreDefined(testStack([testService('web', { networks: { public: joined } })]), ctx);
    expect(ctx.issues[0]?.hint).toBe('add `public: {}` under the top-level `networks:` key');
  });
});
