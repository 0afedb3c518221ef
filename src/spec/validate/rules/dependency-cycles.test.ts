import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../../model/stack.js';
import { StageContext } from '../../stage-context.js';
import { findCycles, noDependencyCycles } from './dependency-cycles.js';
import { testService, testStack } from './test-stack.js';

const on = (...names: string[]): Record<string, Dependency> =>
  Object.fromEntries(names.map((n) => [n, { condition: 'service_started', restart: false, required: true }]));

describe('noDependencyCycles', () => {
  it('accepts a dependency tree with shared dependencies', () => {
    const ctx = new StageContext();
    noDependencyCycles(testStack([
      testService('web', { dependsOn: on('api', 'db') }), testService('api', { dependsOn: on('db') }), testService('db'),
    ]), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('reports a cycle once, from its alphabetically first service', () => {
    const ctx = new StageContext();
    noDependencyCycles(testStack([
      testService('web', { dependsOn: on('api') }), testService('api', { dependsOn: on('worker') }),
      testService('worker', { dependsOn: on('web') }),
    ]), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_CYCLE services.api.depends_on.worker: dependency cycle: api → worker → web → api\n  hint: remove one of these depends_on entries: services in a cycle can never start',
    ]);
  });

  it('reports a service that depends on itself', () => {
    const ctx = new StageContext();
    noDependencyCycles(testStack([testService('web', { dependsOn: on('web') })]), ctx);
    expect(ctx.issues.map((i) => i.message)).toEqual(['dependency cycle: web → web']);
  });

  it('finds separate cycles separately and ignores missing services', () => {
    const stack = testStack([
      testService('a', { dependsOn: on('b', 'ghost') }), testService('b', { dependsOn: on('a') }),
      testService('c', { dependsOn: on('d') }), testService('d', { dependsOn: on('c') }),
    ]);
    expect(findCycles(stack)).toEqual([['a', 'b', 'a'], ['c', 'd', 'c']]);
  });
});
