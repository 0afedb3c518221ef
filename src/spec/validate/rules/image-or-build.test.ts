import { describe, expect, it } from 'vitest';
import { StageContext } from '../../stage-context.js';
import { servicesHaveSomethingToRun } from './image-or-build.js';
import { testService, testStack } from './test-stack.js';

describe('servicesHaveSomethingToRun', () => {
  it('accepts an image, a build, or an x-berth process command', () => {
    const ctx = new StageContext();
    servicesHaveSomethingToRun(testStack([
      testService('a', { image: 'nginx' }),
      testService('b', { image: undefined, build: { context: '/b', dockerfile: 'Dockerfile', args: {}, labels: {}, other: {} } }),
      testService('c', { image: undefined, berth: { process: { command: ['node', 'server.js'] }, routes: [], other: {} } }),
    ]), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects a service with none of them', () => {
    const ctx = new StageContext();
    servicesHaveSomethingToRun(testStack([testService('worker', { image: undefined })]), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_SCHEMA services.worker: service `worker` has neither an image nor a build context\n  hint: add `image:` or `build:`, or `x-berth: {process: {command: ...}}` to run it as a local process',
    ]);
  });
});
