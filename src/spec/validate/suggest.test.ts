import { describe, expect, it } from 'vitest';
import { didYouMean, suggest } from './suggest.js';

describe('suggest', () => {
  it.each([
    ['helthcheck', ['healthcheck', 'hostname', 'image'], 'healthcheck'],
    ['service', ['services', 'networks', 'volumes'], 'services'],
    ['enviroment', ['environment', 'env_file'], 'environment'],
    ['depends-on', ['depends_on', 'deploy'], 'depends_on'],
    ['Image', ['image', 'init'], 'image'],
    ['port', ['ports', 'expose'], 'ports'],
  ])('suggests %s → %s', (input, candidates, expected) => {
    expect(suggest(input, candidates)).toBe(expected);
  });

  it.each([
    ['foo', ['image', 'build']],
    ['zzzzzzzz', ['services']],
    ['x', []],
  ])('suggests nothing for %s when no candidate is close', (input, candidates) => {
    expect(suggest(input, candidates)).toBeUndefined();
  });

  it('breaks ties by sorted order, whatever the candidate order', () => {
    expect(suggest('ab', ['ac', 'aa'])).toBe('aa');
    expect(suggest('ab', ['aa', 'ac'])).toBe('aa');
  });

  it('never suggests the input itself', () => {
    expect(suggest('db', ['db'])).toBeUndefined();
  });

  it('words a suggestion for appending to a message, or gives nothing', () => {
    expect(didYouMean('imgae', ['image'])).toBe(' — did you mean `image`?');
    expect(didYouMean('qqq', ['image'])).toBe('');
  });
});
