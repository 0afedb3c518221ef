import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

describe('canonical healthcheck', () => {
  it.each([
    ['a shell string test', { test: 'curl -f http://localhost', interval: '10s' }],
    ['an exec list test', { test: ['CMD', 'curl', '-f', 'http://localhost'] }],
    ['a CMD-SHELL list test', { test: ['CMD-SHELL', 'curl -f http://localhost || exit 1'] }],
    ['NONE', { test: ['NONE'] }],
    ['disable: true', { disable: true }],
  ])('keeps %s as written (normalize reads both forms)', (_name, healthcheck) => {
    const { web, ctx } = canonicalService({ healthcheck });
    expect(ctx.issues).toEqual([]);
    expect(web.healthcheck).toEqual(healthcheck);
  });

  it('keeps command and entrypoint as written', () => {
    const { web } = canonicalService({ command: 'npm start', entrypoint: ['/bin/sh', '-c'] });
    expect(web.command).toBe('npm start');
    expect(web.entrypoint).toEqual(['/bin/sh', '-c']);
  });
});
