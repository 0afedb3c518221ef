import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { StateDir } from '../state/state-dir.js';
import { testService } from '../spec/validate/rules/test-stack.js';
import type { ReleaseId } from './release.js';
import { ReleaseStore } from './release-store.js';

let dir: string;
let clock: number;
const now = (): number => (clock += 1000);
const open = (): ReleaseStore => ReleaseStore.forStateDir(new StateDir(dir), { now });
const web = (image: string) => testService('web', { image });
const api = testService('api', { image: 'api:1' });
const id = (text: string): ReleaseId => text as ReleaseId;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-releases-'));
  clock = 1_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function caught(run: () => unknown): BerthError {
  try {
    run();
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected a BerthError');
}

describe('ReleaseStore', () => {
  it('starts empty without a file and numbers new releases r1, r2, … as deploying', () => {
    const store = open();
    expect(store.list()).toEqual([]);
    const first = store.create('up', [web('shop:1'), api], { by: 'ann@box' });
    const second = store.create('deploy', [web('shop:2')], { by: 'ann@box' });
    expect(first).toMatchObject({ id: 'r1', number: 1, kind: 'up', status: 'deploying', by: 'ann@box', createdAt: 1_001_000 });
    expect(Object.keys(first.services)).toEqual(['web', 'api']);
    expect(second).toMatchObject({ id: 'r2', number: 2 });
    expect(store.list().map((r) => r.id)).toEqual(['r2', 'r1']);
  });

  it('names the current OS user and host when `by` is not given', () => {
    expect(open().create('up', [api]).by).toBe(`${os.userInfo().username}@${os.hostname()}`);
  });

  it('reads back every release and status change after reopening', () => {
    const store = open();
    store.create('up', [web('shop:1')]);
    store.setStatus(id('r1'), 'active');
    store.create('deploy', [web('shop:2')]);
    store.setStatus(id('r2'), 'failed', 'release failed its health check');
    const again = open();
    expect(again.list()).toEqual(store.list());
    expect(again.get(id('r2'))).toMatchObject({ status: 'failed', reason: 'release failed its health check', finishedAt: 1_004_000 });
    expect(again.get(id('r1'))).toMatchObject({ status: 'active', activatedAt: 1_002_000 });
    expect(again.get(id('r1'))?.services.web?.spec).toEqual(web('shop:1'));
    expect(again.create('deploy', [api]).id).toBe('r3');
  });

  it('writes the file with mode 0600 and leaves no temp files behind', () => {
    const store = open();
    store.create('up', [api]);
    store.setStatus(id('r1'), 'active');
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['releases.json']);
  });

  it('refuses a status change outside the table, naming it, and keeps the old status', () => {
    const store = open();
    store.create('up', [api]);
    store.setStatus(id('r1'), 'failed');
    const error = caught(() => store.setStatus(id('r1'), 'active'));
    expect(error.code).toBe('DEPLOY_RELEASE_STATE');
    expect(error.message).toBe('release r1 cannot go from failed to active');
    expect(open().get(id('r1'))?.status).toBe('failed');
  });

  it('refuses a status change of an unknown release', () => {
    expect(caught(() => open().setStatus(id('r9'), 'active'))).toMatchObject({ code: 'DEPLOY_NO_RELEASE', message: 'there is no release r9' });
  });

  it('finds the current release of each service: the newest active one containing it', () => {
    const store = open();
    store.create('up', [web('shop:1'), api]);
    store.setStatus(id('r1'), 'active');
    store.create('deploy', [web('shop:2')]);
    store.setStatus(id('r2'), 'active');
    store.create('deploy', [web('shop:3')]);
    expect(store.current('web')?.id).toBe('r2');
    expect(store.current('api')?.id).toBe('r1');
    store.setStatus(id('r3'), 'rolled-back', 'new release answered 31% of 412 requests with 5xx');
    expect(store.current('web')?.id).toBe('r2');
    expect(store.current('db')).toBeUndefined();
  });

  it('rolls back to the newest older active release of the service, skipping failed and rolled-back ones', () => {
    const store = open();
    store.create('up', [web('shop:1')]);
    store.setStatus(id('r1'), 'active');
    store.create('deploy', [api]);
    store.setStatus(id('r2'), 'active');
    store.create('deploy', [web('shop:2')]);
    store.setStatus(id('r3'), 'failed');
    store.create('deploy', [web('shop:3')]);
    store.setStatus(id('r4'), 'active');
    store.setStatus(id('r4'), 'rolled-back');
    store.create('deploy', [web('shop:4')]);
    store.setStatus(id('r5'), 'active');
    expect(store.previous('web')?.id).toBe('r1');
    expect(store.previous('web', id('r1'))).toBeUndefined();
    expect(store.previous('api')).toBeUndefined();
    expect(store.previous('db')).toBeUndefined();
  });

  it('goes one step further back on a second rollback instead of returning to the release just undone', () => {
    const store = open();
    for (const [n, image] of [[1, 'shop:1'], [2, 'shop:2'], [3, 'shop:3']] as const) {
      store.create('deploy', [web(image)]);
      store.setStatus(id(`r${n}`), 'active');
    }
    expect(store.previous('web')?.id).toBe('r2');
    store.create('rollback', [web('shop:2')], { rollbackOf: id('r2') });
    store.setStatus(id('r3'), 'rolled-back');
    store.setStatus(id('r4'), 'active');
    expect(store.get(id('r4'))).toMatchObject({ kind: 'rollback', rollbackOf: 'r2' });
    expect(store.current('web')?.id).toBe('r4');
    expect(store.previous('web')?.id).toBe('r1');
  });

  it('lists releases a dead daemon left deploying and marks them interrupted', () => {
    const store = open();
    store.create('up', [api]);
    store.setStatus(id('r1'), 'active');
    store.create('deploy', [api]);
    store.create('deploy', [web('shop:1')]);
    const reopened = open();
    expect(reopened.deploying().map((r) => r.id)).toEqual(['r3', 'r2']);
    const stopped = reopened.interruptDeploying('the daemon stopped during the deploy');
    expect(stopped.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['r3', 'interrupted', 'the daemon stopped during the deploy'], ['r2', 'interrupted', 'the daemon stopped during the deploy'],
    ]);
    expect(open().deploying()).toEqual([]);
    expect(open().get(id('r1'))?.status).toBe('active');
  });

  it.each([
    ['not JSON', '{"version": 1, "releases": [', 'it is not valid JSON'],
    ['another version', '{"version": 2, "releases": []}', 'it is not a version 1 release list'],
    ['a broken entry', '{"version": 1, "releases": [{"id": "r1", "number": 1, "status": "happy"}]}', 'entry 1 is not a release'],
  ])('refuses a file that is %s instead of starting empty', (_name, text, why) => {
    const file = path.join(dir, 'releases.json');
    writeFileSync(file, text);
    const error = caught(open);
    expect(error.code).toBe('STATE_CORRUPT');
    expect(error.message).toBe(`cannot read the release history ${file}: ${why}`);
    expect(error.hint).toMatch(/restore the file from a backup, or move it aside/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a file it cannot read', () => {
    const file = path.join(dir, 'releases.json');
    mkdirSync(file);
    expect(caught(open)).toMatchObject({ code: 'STATE_CORRUPT', message: `cannot read the release history ${file}: it cannot be read (EISDIR)` });
  });
});
