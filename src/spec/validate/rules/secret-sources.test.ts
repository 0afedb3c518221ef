import { describe, expect, it } from 'vitest';
import { StageContext } from '../../stage-context.js';
import { secretsHaveASource } from './secret-sources.js';
import { testStack } from './test-stack.js';

describe('secretsHaveASource', () => {
  it('accepts file, environment and external secrets', () => {
    const ctx = new StageContext();
    secretsHaveASource(testStack([], {
      secrets: {
        a: { name: 'a', file: '/x', external: false },
        b: { name: 'b', environment: 'B', external: false },
        c: { name: 'c', external: true },
      },
    }), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects a secret that says nowhere where its value comes from', () => {
    const ctx = new StageContext();
    secretsHaveASource(testStack([], { secrets: { token: { name: 'demo_token', external: false } } }), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_SCHEMA secrets.token: secret `token` has neither `file` nor `environment`\n  hint: set `file: ./path/to/secret` or `environment: VARIABLE`, or `external: true` if it already exists',
    ]);
  });
});
