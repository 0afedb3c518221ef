import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

describe('canonical env_file', () => {
  it.each([
    ['a single path', '.env', [{ path: '.env', required: true }]],
    ['a list of paths', ['a.env', 'b.env'], [{ path: 'a.env', required: true }, { path: 'b.env', required: true }]],
    ['a long form, optional', [{ path: 'local.env', required: false }], [{ path: 'local.env', required: false }]],
    ['a long form without required', [{ path: 'x.env', format: 'raw' }], [{ path: 'x.env', format: 'raw', required: true }]],
    ['a mix', ['a.env', { path: 'b.env', required: false }], [{ path: 'a.env', required: true }, { path: 'b.env', required: false }]],
  ])('reads %s', (_name, input, expected) => {
    const { web, ctx } = canonicalService({ env_file: input });
    expect(ctx.issues).toEqual([]);
    expect(web.env_file).toEqual(expected);
  });
});
