import { describe, expect, it } from 'vitest';
import { selectProfiles } from './profiles.js';
import { StageContext } from './stage-context.js';

const dep = (required = true): Record<string, unknown> => ({ condition: 'service_started', required });

/** The example of docs.docker.com/compose/how-tos/profiles ("Auto-starting profiles and dependency resolution"). */
const docs: Record<string, unknown> = {
  web: { image: 'web' },
  'mock-backend': { image: 'backend', profiles: ['dev'], depends_on: { db: dep() } },
  db: { image: 'mysql', profiles: ['dev'] },
  phpmyadmin: { image: 'phpmyadmin', profiles: ['debug'], depends_on: { db: dep() } },
};

describe('selectProfiles', () => {
  it.each<{ when: string; profiles: string[]; named: string[]; active: string[]; enabled: string[] }>([
    { when: 'no profile is active: only services without profiles', profiles: [], named: [], active: ['web'], enabled: [] },
    { when: 'a profile is active: its services too', profiles: ['dev'], named: [], active: ['web', 'mock-backend', 'db'], enabled: ['dev'] },
    { when: 'two profiles are active', profiles: ['dev', 'debug'], named: [], active: ['web', 'mock-backend', 'db', 'phpmyadmin'], enabled: ['dev', 'debug'] },
    { when: '"*" is active: every service', profiles: ['*'], named: [], active: ['web', 'mock-backend', 'db', 'phpmyadmin'], enabled: ['*'] },
    { when: 'a disabled service is named: its profiles are enabled', profiles: [], named: ['mock-backend'], active: ['web', 'mock-backend', 'db'], enabled: ['dev'] },
    { when: 'an enabled service is named: nothing more is enabled', profiles: ['dev'], named: ['db'], active: ['web', 'mock-backend', 'db'], enabled: ['dev'] },
    { when: 'a service without profiles is named', profiles: [], named: ['web'], active: ['web'], enabled: [] },
  ])('enables the right services when $when', ({ profiles, named, active, enabled }) => {
    const ctx = new StageContext();
    const selection = selectProfiles(docs, profiles, named, ctx);
    expect(ctx.issues).toEqual([]);
    expect(selection.active).toEqual(active);
    expect(selection.enabledProfiles).toEqual(enabled);
    expect(selection.allProfiles).toEqual(['debug', 'dev']);
  });

  it('refuses a named service whose dependency stays disabled, as `docker compose up phpmyadmin` does', () => {
    const ctx = new StageContext();
    const selection = selectProfiles(docs, [], ['phpmyadmin'], ctx);
    expect(selection.active).toEqual(['web', 'phpmyadmin']);
    expect(ctx.issues).toHaveLength(1);
    const issue = ctx.issues[0];
    expect(issue?.code).toBe('SPEC_REFERENCE');
    expect(issue?.path).toBe('services.phpmyadmin.depends_on.db');
    expect(issue?.message).toBe('service `phpmyadmin` depends on `db`, which is not enabled: none of its profiles (`dev`) is active');
    expect(issue?.hint).toMatch(/--profile dev/);
  });

  it.each([
    ['a required: false dependency', { web: { depends_on: { tools: dep(false) } }, tools: { profiles: ['tools'] } }],
    ['a dependency that does not exist (left to validation)', { web: { depends_on: ['ghost'] } }],
    ['an empty profiles list (always enabled)', { web: { depends_on: ['db'] }, db: { profiles: [] } }],
  ])('accepts %s', (_case, services) => {
    const ctx = new StageContext();
    selectProfiles(services, [], [], ctx);
    expect(ctx.issues).toEqual([]);
  });

  it('reports an enabled service depending on a disabled one written in list form', () => {
    const ctx = new StageContext();
    selectProfiles({ web: { depends_on: ['db'] }, db: { profiles: ['data'] } }, [], [], ctx);
    expect(ctx.issues.map((issue) => issue.code)).toEqual(['SPEC_REFERENCE']);
  });

  it('reports a named service that does not exist as USAGE', () => {
    const ctx = new StageContext();
    const selection = selectProfiles(docs, [], ['nope'], ctx);
    expect(selection.active).toEqual(['web']);
    expect(ctx.issues.map((issue) => [issue.code, issue.message])).toEqual([['USAGE', 'no such service: `nope`']]);
  });

  it('lists every profile once, sorted, and works without a context', () => {
    const services = { a: { profiles: ['z', 'b'] }, b: { profiles: ['b', 'a'] }, c: {} };
    expect(selectProfiles(services, [], []).allProfiles).toEqual(['a', 'b', 'z']);
  });
});
