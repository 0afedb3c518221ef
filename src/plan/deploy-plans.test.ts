import { describe, expect, it } from 'vitest';
import { instanceId } from '../model/ids.js';
import { testService, testStack } from '../spec/validate/rules/test-stack.js';
import { planAddReplicas, planRetire } from './deploy-plans.js';

const db = testService('db');
const api = testService('api', { replicas: 2, dependsOn: { db: { condition: 'service_healthy', restart: false, required: true } } });
const stack = testStack([db, api]);

describe('deploy plans', () => {
  it('starts the new replicas beside the old ones, gated on the dependencies, with the release in their environment', () => {
    const plan = planAddReplicas(stack, api, [3, 4], 'r7');
    expect(plan.toString()).toMatchInlineSnapshot(`
      "create api#3     (release r7)
      start api#3      after create api#3, db healthy
      create api#4     (release r7)
      start api#4      after create api#4, db healthy
      "
    `);
    const create = plan.steps[0];
    expect(create?.kind === 'create' && create.spec.env).toMatchObject({ BERTH_RELEASE: 'r7', BERTH_REPLICA: '3', BERTH_SERVICE: 'api' });
  });

  it('retires running replicas with a stop then a remove, and only removes exited ones', () => {
    const plan = planRetire([
      { service: 'api', replica: 1, id: instanceId('a1'), state: 'running', stoppedByUser: false },
      { service: 'api', replica: 2, id: instanceId('a2'), state: 'exited', stoppedByUser: false },
    ], 'replaced by r7');
    expect(plan.toString()).toMatchInlineSnapshot(`
      "stop api#1       (replaced by r7)
      remove api#1     after stop api#1
      remove api#2     (replaced by r7)
      "
    `);
  });
});
