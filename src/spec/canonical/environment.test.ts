import { describe, expect, it } from 'vitest';
import { ResetMarker } from '../yaml-tags.js';
import { canonicalService } from './test-helpers.js';

describe('canonical environment', () => {
  it.each([
    ['a list with and without values', ['A=1', 'B', 'C='], { A: '1', B: null, C: '' }],
    ['a value containing "="', ['URL=a=b'], { URL: 'a=b' }],
    ['a later duplicate winning', ['A=1', 'A=2'], { A: '2' }],
    ['a mapping of strings', { A: 'x' }, { A: 'x' }],
    ['numbers and booleans as compose prints them', { PORT: 8080, RATIO: 1.5, DEBUG: true, OFF: false }, { PORT: '8080', RATIO: '1.5', DEBUG: 'true', OFF: 'false' }],
    ['a null mapping value (unset)', { B: null }, { B: null }],
  ])('reads %s', (_name, input, expected) => {
    const { web, ctx } = canonicalService({ environment: input });
    expect(ctx.issues).toEqual([]);
    expect(web.environment).toEqual(expected);
  });

  it('turns build.args lists into a mapping the same way', () => {
    const { web } = canonicalService({ build: { context: '.', args: ['A=1', 'B'] } });
    expect(web.build).toEqual({ context: '.', args: { A: '1', B: null } });
  });

  it('keeps a !reset marker on one variable', () => {
    const marker = new ResetMarker();
    const { web } = canonicalService({ environment: { A: marker, B: 2 } });
    expect(web.environment).toEqual({ A: marker, B: '2' });
    expect((web.environment as Record<string, unknown>).A).toBe(marker);
  });

  it('reports a list entry that is not text', () => {
    const { ctx } = canonicalService({ environment: ['A=1', { B: 2 }] });
    expect(ctx.issues[0]?.path).toBe('services.web.environment[1]');
    expect(ctx.issues[0]?.message).toContain('"KEY=VALUE"');
  });
});
