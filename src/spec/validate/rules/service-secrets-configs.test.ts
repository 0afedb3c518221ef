import { describe, expect, it } from 'vitest';
import { StageContext } from '../../stage-context.js';
import { secretsAndConfigsAreDefined } from './service-secrets-configs.js';
import { testService, testStack } from './test-stack.js';

describe('secretsAndConfigsAreDefined', () => {
  it('accepts defined secrets and configs', () => {
    const ctx = new StageContext();
    secretsAndConfigsAreDefined(testStack([testService('api', { secrets: [{ source: 'token' }], configs: [{ source: 'nginx' }] })], {
      secrets: { token: { name: 'demo_token', file: '/demo/token', external: false } },
      configs: { nginx: { name: 'demo_nginx', content: 'x', external: false } },
    }), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects undefined secrets and configs, each at its entry', () => {
    const ctx = new StageContext();
    secretsAndConfigsAreDefined(testStack([testService('api', {
      secrets: [{ source: 'tokn' }], configs: [{ source: 'nginx' }, { source: 'site' }],
    })], { secrets: { token: { name: 'demo_token', file: '/demo/token', external: false } } }), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_REFERENCE services.api.secrets[0]: service `api` uses secret `tokn`, which is not defined under top-level `secrets:` — did you mean `token`?',
      'SPEC_REFERENCE services.api.configs[0]: service `api` uses config `nginx`, which is not defined under top-level `configs:`\n  hint: add `nginx: {file: ./nginx.txt}` under the top-level `configs:` key',
      'SPEC_REFERENCE services.api.configs[1]: service `api` uses config `site`, which is not defined under top-level `configs:`\n  hint: add `site: {file: ./site.txt}` under the top-level `configs:` key',
    ]);
  });
});
