import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveOsUser } from '../launch/os-user.js';
import { prepareDataFolder } from './data-folder.js';

const postgres = resolveOsUser('postgres');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-data-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(process.getuid?.() !== 0 || !postgres)('prepareDataFolder for another account', () => {
  const owner = postgres as NonNullable<typeof postgres>;

  it('hands the folder over, and opens berth\'s own state folders for search only', async () => {
    chmodSync(dir, 0o755);
    const state = path.join(dir, '.berth');
    mkdirSync(state, { mode: 0o700 });
    const data = path.join(state, 'volumes', 'db-data', 'pgdata');
    await prepareDataFolder({ dir: data, owner, mode: 0o700, stateDir: state, program: 'postgres' });
    expect(statSync(data)).toMatchObject({ uid: owner.uid, gid: owner.gid });
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(state).mode & 0o777).toBe(0o701);
  });

  it('names every folder on the way it may not enter, and changes none of them', async () => {
    const project = path.join(dir, 'project');
    mkdirSync(project, { mode: 0o700 });
    chmodSync(dir, 0o700);
    const data = path.join(project, '.berth', 'volumes', 'db-data');
    await expect(prepareDataFolder({ dir: data, owner, mode: 0o700, stateDir: path.join(project, '.berth'), program: 'postgres' })).rejects.toMatchObject({
      code: 'RUNTIME_START_FAILED',
      message: expect.stringContaining(`${dir}, ${project} are not searchable`),
      hint: expect.stringContaining(`chmod o+x ${dir} ${project}`),
    });
    expect(statSync(project).mode & 0o777).toBe(0o700);
  });
});
