import { describe, expect, it } from 'vitest';
import { serviceFingerprint } from '../plan/fingerprint.js';
import { testService } from '../spec/validate/rules/test-stack.js';
import { canTransition, isSettled, parseReleaseId, RELEASE_STATUSES, releaseId, releaseService, type ReleaseStatus } from './release.js';

describe('release ids', () => {
  it('numbers releases r1, r2, … and reads them back with or without the r', () => {
    expect(releaseId(7)).toBe('r7');
    expect(parseReleaseId('r12')).toBe('r12');
    expect(parseReleaseId(' 3 ')).toBe('r3');
    expect(['r0', 'x1', 'r1.5', '', 'r', 'r01'].map(parseReleaseId)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('release status transitions', () => {
  const allowed: readonly (readonly [ReleaseStatus, ReleaseStatus])[] = [
    ['deploying', 'active'], ['deploying', 'failed'], ['deploying', 'rolled-back'], ['deploying', 'interrupted'], ['active', 'rolled-back'],
  ];

  it('allows exactly the changes in the table', () => {
    const all = RELEASE_STATUSES.flatMap((from) => RELEASE_STATUSES.map((to) => [from, to] as const));
    const permitted = all.filter(([from, to]) => canTransition(from, to));
    expect(permitted).toEqual(allowed);
  });

  it('calls every status but deploying settled', () => {
    expect(RELEASE_STATUSES.filter(isSettled)).toEqual(['active', 'failed', 'rolled-back', 'interrupted']);
  });
});

describe('releaseService', () => {
  const web = testService('web', { image: 'shop:1', command: ['serve'], environment: { TOKEN: 'a' } });

  it('keeps the fingerprint, image, command and full spec', () => {
    const entry = releaseService(web);
    expect(entry).toMatchObject({ fingerprint: serviceFingerprint(web), image: 'shop:1', command: ['serve'], spec: web });
    expect(entry.envDigest).toMatch(/^[0-9a-f]{12}$/);
    expect(entry.configDigest).toMatch(/^[0-9a-f]{12}$/);
  });

  it('changes only the env digest when only the environment changes, and only the config digest otherwise', () => {
    const base = releaseService(web);
    const env = releaseService({ ...web, environment: { TOKEN: 'b' } });
    const config = releaseService({ ...web, image: 'shop:2' });
    expect([env.envDigest === base.envDigest, env.configDigest === base.configDigest]).toEqual([false, true]);
    expect([config.envDigest === base.envDigest, config.configDigest === base.configDigest]).toEqual([true, false]);
  });

  it('does not count scaling as a change', () => {
    const scaled = releaseService({ ...web, replicas: 5 });
    expect(scaled.configDigest).toBe(releaseService(web).configDigest);
    expect(scaled.fingerprint).toBe(releaseService(web).fingerprint);
  });
});
