import { describe, expect, it } from 'vitest';
import type { VolumeMount } from '../../../model/stack.js';
import { StageContext } from '../../stage-context.js';
import { volumesAreDefined } from './service-volumes.js';
import { testService, testStack } from './test-stack.js';

const mount = (type: VolumeMount['type'], source?: string): VolumeMount =>
  ({ type, target: '/data', readOnly: false, ...(source === undefined ? {} : { source }) });

describe('volumesAreDefined', () => {
  it('accepts defined named volumes, anonymous volumes, binds and tmpfs', () => {
    const ctx = new StageContext();
    volumesAreDefined(testStack([testService('db', {
      volumes: [mount('volume', 'data'), mount('volume'), mount('bind', '/srv/data'), mount('tmpfs')],
    })], { volumes: { data: { name: 'demo_data', external: false, labels: {}, other: {} } } }), ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('rejects an undefined named volume, with a did-you-mean', () => {
    const ctx = new StageContext();
    volumesAreDefined(testStack([testService('db', { volumes: [mount('bind', '/x'), mount('volume', 'db-dta')] })], {
      volumes: { 'db-data': { name: 'demo_db-data', external: false, labels: {}, other: {} } },
    }), ctx);
    expect(ctx.issues.map((i) => i.format())).toEqual([
      'SPEC_REFERENCE services.db.volumes[1]: service `db` mounts volume `db-dta`, which is not defined under top-level `volumes:` — did you mean `db-data`?',
    ]);
  });

  it('says how to define it, or to mount a folder instead', () => {
    const ctx = new StageContext();
    volumesAreDefined(testStack([testService('db', { volumes: [mount('volume', 'pgdata')] })]), ctx);
    expect(ctx.issues[0]?.hint).toBe('add `pgdata: {}` under the top-level `volumes:` key, or write `./pgdata` to mount a folder');
  });
});
