import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

const started = { condition: 'service_started', required: true };

describe('canonical depends_on', () => {
  it.each([
    ['a list of names', ['db', 'cache'], { db: started, cache: started }],
    ['a mapping with a condition', { db: { condition: 'service_healthy' } }, { db: { condition: 'service_healthy', required: true } }],
    ['a mapping entry that is empty', { db: {} }, { db: started }],
    ['required: false and restart kept', { db: { required: false, restart: true } }, { db: { condition: 'service_started', required: false, restart: true } }],
  ])('reads %s', (_name, input, expected) => {
    const { web, ctx } = canonicalService({ depends_on: input });
    expect(ctx.issues).toEqual([]);
    expect(web.depends_on).toEqual(expected);
  });

  it('does not add restart (compose-go leaves it false)', () => {
    const { web } = canonicalService({ depends_on: ['db'] });
    expect(web.depends_on).toEqual({ db: { condition: 'service_started', required: true } });
  });

  it('reports a list entry that is not a service name', () => {
    const { ctx } = canonicalService({ depends_on: ['db', 3] });
    expect(ctx.issues[0]?.path).toBe('services.web.depends_on[1]');
  });
});
