import { describe, expect, it } from 'vitest';
import { canonicalService } from './test-helpers.js';

describe('canonical build', () => {
  it.each([
    ['a context string', './app', { context: './app' }],
    ['a URL', 'https://github.com/x/y.git#main', { context: 'https://github.com/x/y.git#main' }],
    ['a long form without context (no default here)', { dockerfile: 'Dockerfile.dev' }, { dockerfile: 'Dockerfile.dev' }],
    ['labels and args lists', { context: '.', labels: ['a=b'], args: ['X'] }, { context: '.', labels: { a: 'b' }, args: { X: null } }],
    ['secrets and extra_hosts', { context: '.', secrets: ['npmrc'], extra_hosts: ['db:1.2.3.4'] }, { context: '.', secrets: [{ source: 'npmrc' }], extra_hosts: { db: '1.2.3.4' } }],
    ['additional_contexts list', { context: '.', additional_contexts: ['base=../base'] }, { context: '.', additional_contexts: { base: '../base' } }],
  ])('reads %s', (_name, input, expected) => {
    const { web, ctx } = canonicalService({ build: input });
    expect(ctx.issues).toEqual([]);
    expect(web.build).toEqual(expected);
  });
});
