import { describe, expect, it } from 'vitest';
import { instanceId } from '../model/ids.js';
import type { Dependency } from '../model/stack.js';
import { testService, testStack } from '../spec/validate/rules/test-stack.js';
import { planStartExisting, planTeardown } from './lifecycle-plans.js';
import type { ObservedReplica } from './observed.js';

const dep = (condition: Dependency['condition'], required = true): Dependency => ({ condition, restart: false, required });
const stack = testStack([
  testService('db'),
  testService('api', { dependsOn: { db: dep('service_healthy') } }),
  testService('worker', { dependsOn: { api: dep('service_started'), db: dep('service_started') } }),
  testService('cron', { dependsOn: { db: dep('service_started', false) } }),
]);
const replica = (service: string, n = 1, state: ObservedReplica['state'] = 'running'): ObservedReplica =>
  ({ service, replica: n, id: instanceId(`${service}-${n}`), state, stoppedByUser: false });
const all = { replicas: [replica('db'), replica('api'), replica('worker', 1), replica('worker', 2), replica('cron', 1, 'exited'), replica('gone')] };

describe('planTeardown', () => {
  it('stops dependents before their dependencies and replicas of a service together, then removes', () => {
    expect(planTeardown(stack, all, { remove: true }).toString()).toMatchInlineSnapshot(`
      "stop gone#1
      stop worker#1
      stop worker#2
      stop api#1       after stop worker#1, stop worker#2
      stop db#1        after stop worker#1, stop worker#2, stop api#1
      remove gone#1    after stop gone#1
      remove cron#1
      remove worker#1  after stop worker#1
      remove worker#2  after stop worker#2
      remove api#1     after stop api#1
      remove db#1      after stop db#1
      "
    `);
  });

  it('stops only the named services, without removing them', () => {
    expect(planTeardown(stack, all, { services: ['api', 'db'], remove: false }).toString()).toMatchInlineSnapshot(`
      "stop api#1
      stop db#1        after stop api#1
      "
    `);
  });

  it('stops a service only after the dependents of a dependent with nothing to stop (an exited migrate job)', () => {
    const tasks = testStack([
      testService('db'),
      testService('migrate', { dependsOn: { db: dep('service_healthy') } }),
      testService('api', { dependsOn: { migrate: dep('service_completed_successfully') } }),
    ]);
    const observed = { replicas: [replica('db'), replica('migrate', 1, 'exited'), replica('api')] };
    expect(planTeardown(tasks, observed, { remove: false }).toString()).toBe('stop api#1\nstop db#1        after stop api#1\n');
    const noMigrate = { replicas: [replica('db'), replica('api')] };
    expect(planTeardown(tasks, noMigrate, { remove: false }).toString()).toBe('stop api#1\nstop db#1        after stop api#1\n');
  });

  it('works without a stack (before any up): everything stops at once', () => {
    expect(planTeardown(undefined, { replicas: [replica('a'), replica('b')] }, { remove: false }).toString()).toBe('stop a#1\nstop b#1\n');
  });
});

describe('planStartExisting', () => {
  it('starts what is not running, in dependency order, gated, without creating anything', () => {
    const observed = { replicas: [replica('db', 1, 'exited'), { ...replica('api', 1, 'exited'), stoppedByUser: true }, replica('worker'), replica('cron', 1, 'created')] };
    expect(planStartExisting(stack, observed, ['db', 'api', 'worker', 'cron']).toString()).toMatchInlineSnapshot(`
      "start db#1       (exited)
      start api#1      (stopped) after db healthy
      start cron#1     (created) after db started (optional)
      "
    `);
  });
});
