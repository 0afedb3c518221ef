import { describe, expect, it } from 'vitest';
import { StageContext } from '../../stage-context.js';
import { containerNamesAreUnique } from './container-names.js';
import { testService, testStack } from './test-stack.js';

describe('containerNamesAreUnique', () => {
  it('accepts distinct container names on single replicas', () => {
    const ctx = new StageContext();
    containerNamesAreUnique(testStack([
      testService('a', { containerName: 'app-a' }), testService('b', { containerName: 'app-b' }), testService('c', { replicas: 3 }),
    ]), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects a container name shared by two services, naming both', () => {
    const ctx = new StageContext();
    containerNamesAreUnique(testStack([testService('postgres', { containerName: 'db' }), testService('db', { containerName: 'db' })]), ctx);
    expect(ctx.issues.map((i) => i.message)).toEqual(['container_name `db` is used by both `postgres` and `db`']);
    expect(ctx.issues[0]?.path).toBe('services.db.container_name');
  });

  it('rejects a container name on a service with more than one replica', () => {
    const ctx = new StageContext();
    containerNamesAreUnique(testStack([testService('worker', { containerName: 'worker', replicas: 3 })]), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_SCHEMA services.worker.container_name: container_name `worker` cannot be used with 3 replicas: each container needs its own name\n  hint: remove container_name (replicas are then named <project>-<service>-1, -2, …) or run one replica',
    ]);
  });
});
