import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { isFile, readTextFile } from './read-text-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-read-'));
const file = path.join(dir, 'compose.yml');
writeFileSync(file, 'services: {}\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(target: string): BerthError {
  try {
    readTextFile(target, 'env file');
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error(`${target} was read`);
}

describe('readTextFile', () => {
  it('reads a file as UTF-8', () => {
    expect(readTextFile(file, 'compose file')).toBe('services: {}\n');
  });

  it.each([
    ['a path that does not exist', path.join(dir, 'nope.env'), 'it does not exist', /check the path/],
    ['a folder', dir, 'it is a folder, not a file', /name a file inside the folder/],
  ])('says why it cannot read %s, as SPEC_READ', (_what, target, reason, hint) => {
    const error = failure(target);
    expect(error.code).toBe('SPEC_READ');
    expect(error.message).toBe(`cannot read env file ${target}: ${reason}`);
    expect(error.hint).toMatch(hint);
  });

  // root may read any file, so the permission case can only run as another user.
  it.skipIf(process.getuid?.() === 0)('says permission denied for a file it may not read', () => {
    const locked = path.join(dir, 'locked.env');
    writeFileSync(locked, 'A=1\n');
    chmodSync(locked, 0o000);
    expect(failure(locked).message).toBe(`cannot read env file ${locked}: permission denied`);
  });
});

describe('isFile', () => {
  it('is true for a file only', () => {
    expect([isFile(file), isFile(dir), isFile(path.join(dir, 'nope'))]).toEqual([true, false, false]);
  });
});
