import { describe, expect, it } from 'vitest';
import type { VolumeMount } from '../../../model/stack.js';
import { hostPathFor } from './mounts.js';

const roots = { volumes: '/state/volumes', anonymous: '/state/volumes/_anonymous/demo_db_1' };
const volume = (source: string, target: string, subpath?: string): VolumeMount => ({
  type: 'volume', source, target, readOnly: false, volume: { nocopy: false, ...(subpath ? { subpath } : {}) },
});
const bind = (source: string, target: string): VolumeMount => ({ type: 'bind', source, target, readOnly: false, bind: { createHostPath: true } });

describe('hostPathFor', () => {
  it.each<[string, string, VolumeMount[], string | undefined]>([
    ['named volume at the path', '/var/lib/postgresql/data', [volume('db-data', '/var/lib/postgresql/data')], '/state/volumes/db-data'],
    ['PGDATA below the mount keeps its subpath', '/var/lib/postgresql/data/pgdata', [volume('db-data', '/var/lib/postgresql/data')], '/state/volumes/db-data/pgdata'],
    ['mount at PGDATA itself', '/var/lib/postgresql/data/pgdata', [volume('featuremodels-db-data', '/var/lib/postgresql/data/pgdata')], '/state/volumes/featuremodels-db-data'],
    ['volume subpath', '/data', [volume('shared', '/data', 'redis')], '/state/volumes/shared/redis'],
    ['bind mount', '/app/src/main.py', [bind('/home/me/project', '/app')], '/home/me/project/src/main.py'],
    ['longest target wins', '/app/data/x', [bind('/p', '/app'), volume('data', '/app/data')], '/state/volumes/data/x'],
    ['trailing slash on the target', '/data', [volume('redis-data', '/data/')], '/state/volumes/redis-data'],
    ['no mount → anonymous folder', '/data', [], '/state/volumes/_anonymous/demo_db_1/data'],
    ['anonymous volume', '/var/lib/postgresql/data', [{ type: 'volume', target: '/var/lib/postgresql/data', readOnly: false }], '/state/volumes/_anonymous/demo_db_1/var_lib_postgresql_data'],
    ['not a prefix by name only', '/data2', [volume('redis-data', '/data')], '/state/volumes/_anonymous/demo_db_1/data2'],
  ])('%s', (_name, containerPath, mounts, expected) => {
    expect(hostPathFor(containerPath, mounts, roots)).toBe(expected);
  });

  it('in strict mode, maps only paths under bind mounts and named volumes', () => {
    expect(hostPathFor('/data', [], roots, true)).toBeUndefined();
    expect(hostPathFor('/x', [{ type: 'tmpfs', target: '/x', readOnly: false }], roots, true)).toBeUndefined();
    expect(hostPathFor('/app/a', [bind('/p', '/app')], roots, true)).toBe('/p/a');
  });
});
