import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveOsUser } from './os-user.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = { passwd: path.join(dir, 'passwd'), group: path.join(dir, 'group') };
writeFileSync(files.passwd, 'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL:/var/lib/postgresql:/bin/bash\nnode:x:1000:1000::/home/node:/bin/sh\n');
writeFileSync(files.group, 'root:x:0:\npostgres:x:104:\nnode:x:1000:\nwww-data:x:33:\n');

describe('resolveOsUser', () => {
  it.each([
    ['postgres', { uid: 101, gid: 104, name: 'postgres', home: '/var/lib/postgresql' }],
    ['1000', { uid: 1000, gid: 1000, name: 'node', home: '/home/node' }],
    ['node:www-data', { uid: 1000, gid: 33, name: 'node', home: '/home/node' }],
    ['1000:33', { uid: 1000, gid: 33, name: 'node', home: '/home/node' }],
    ['node:4242', { uid: 1000, gid: 4242, name: 'node', home: '/home/node' }],
    ['nobody-here', undefined],
    ['5555', undefined],
  ])('%s', (spec, expected) => {
    expect(resolveOsUser(spec, files)).toEqual(expected);
  });
});
