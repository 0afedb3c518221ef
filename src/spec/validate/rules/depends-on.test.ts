import { describe, expect, it } from 'vitest';
import { StageContext } from '../../stage-context.js';
import { dependsOnDefinedServices } from './depends-on.js';
import { testService, testStack } from './test-stack.js';

const started = { condition: 'service_started', restart: false, required: true } as const;

describe('dependsOnDefinedServices', () => {
  it('accepts dependencies on services of the stack', () => {
    const ctx = new StageContext();
    dependsOnDefinedServices(testStack([testService('web', { dependsOn: { db: started } }), testService('db')]), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects a dependency on an unknown service, with a did-you-mean', () => {
    const ctx = new StageContext();
    dependsOnDefinedServices(testStack([testService('web', { dependsOn: { dbb: started } }), testService('db')]), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_REFERENCE services.web.depends_on.dbb: service `web` depends on `dbb`, which is not a service in this stack — did you mean `db`?',
    ]);
  });

  it('hints at profiles when no service name is close', () => {
    const ctx = new StageContext();
    dependsOnDefinedServices(testStack([testService('web', { dependsOn: { migrations: started } })]), ctx);
    expect(ctx.issues[0]?.hint).toBe('define a service `migrations`, or enable the profile that defines it (--profile)');
  });

  it('only warns about a missing dependency marked required: false', () => {
    const ctx = new StageContext();
    dependsOnDefinedServices(testStack([testService('web', { dependsOn: { cache: { ...started, required: false } } })]), ctx);
    expect(ctx.issues).toEqual([]);
    expect(ctx.warnings).toEqual([{
      message: 'service `web` depends on `cache`, which is not a service in this stack; it starts without it (required: false)',
      source: undefined,
      path: 'services.web.depends_on.cache',
    }]);
  });
});
