import { describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { normalizeProjectName, resolveProjectName } from './project-name.js';

describe('resolveProjectName', () => {
  it.each<[string, Parameters<typeof resolveProjectName>[0], string]>([
    ['-p wins over everything', { flag: 'cli', environment: 'env', fromFile: 'file', projectDir: '/srv/dir' }, 'cli'],
    ['COMPOSE_PROJECT_NAME comes next', { environment: 'env', fromFile: 'file', projectDir: '/srv/dir' }, 'env'],
    ['then the top-level name:', { fromFile: 'file', projectDir: '/srv/dir' }, 'file'],
    ['then the folder name', { projectDir: '/srv/dir' }, 'dir'],
    ['the name: is normalized as compose-go does', { fromFile: 'My App!', projectDir: '/srv/dir' }, 'myapp'],
    ['a name: with nothing usable falls back to the folder', { fromFile: '!!!', projectDir: '/srv/My_Dir' }, 'my_dir'],
    ['empty values are skipped', { flag: '', environment: '', fromFile: '', projectDir: '/srv/-web' }, 'web'],
  ])('%s', (_name, input, expected) => {
    expect(resolveProjectName(input)).toBe(expected);
  });

  it.each<[string, Parameters<typeof resolveProjectName>[0]]>([
    ['-p', { flag: 'My App', projectDir: '/srv/dir' }],
    ['COMPOSE_PROJECT_NAME', { environment: 'UPPER', projectDir: '/srv/dir' }],
  ])('refuses an invalid name given with %s instead of changing it', (origin, input) => {
    expect(() => resolveProjectName(input)).toThrow(BerthError);
    expect(() => resolveProjectName(input)).toThrow(`(from ${origin})`);
  });

  it('fails when no name can be derived at all', () => {
    expect(() => resolveProjectName({ projectDir: '/srv/___' })).toThrow('cannot derive a project name');
  });
});

describe('normalizeProjectName', () => {
  it.each([['Web App', 'webapp'], ['-_x', 'x'], ['a.b', 'ab'], ['ok-1_2', 'ok-1_2']])('%j → %j', (input, expected) => {
    expect(normalizeProjectName(input)).toBe(expected);
  });
});
