import { describe, expect, it } from 'vitest';
import { StageContext } from '../stage-context.js';
import { testService, testStack } from './rules/test-stack.js';
import { STACK_RULES, validateStack } from './validate.js';

describe('validateStack', () => {
  it('finds nothing wrong with a consistent stack', () => {
    const ctx = new StageContext();
    validateStack(testStack([
      testService('web', {
        dependsOn: { db: { condition: 'service_healthy', restart: true, required: true } },
        ports: [{ target: 8000, published: '8000', protocol: 'tcp', mode: 'ingress' }],
      }),
      testService('db', { volumes: [{ type: 'volume', source: 'data', target: '/var/lib/postgresql/data', readOnly: false }] }),
    ], { volumes: { data: { name: 'demo_data', external: false, labels: {}, other: {} } } }), ctx);
    expect(ctx.issues).toEqual([]);
    expect(ctx.warnings).toEqual([]);
  });

  it('runs every rule and collects all their problems', () => {
    const ctx = new StageContext();
    validateStack(testStack([
      testService('web', {
        image: undefined,
        dependsOn: { api: { condition: 'service_started', restart: false, required: true } },
        ports: [{ target: 80, published: '80', protocol: 'tcp', mode: 'ingress' }],
      }),
      testService('api', {
        dependsOn: { web: { condition: 'service_started', restart: false, required: true } },
        ports: [{ target: 80, published: '80', protocol: 'tcp', mode: 'ingress' }],
        networks: { back: { aliases: [] } },
      }),
    ]), ctx);
    expect(ctx.issues.map((i) => i.code)).toEqual(['SPEC_SCHEMA', 'SPEC_CYCLE', 'SPEC_REFERENCE', 'SPEC_PORT']);
  });

  it('lists each rule once', () => {
    expect(new Set(STACK_RULES).size).toBe(STACK_RULES.length);
  });
});
